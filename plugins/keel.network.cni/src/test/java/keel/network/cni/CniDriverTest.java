package keel.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkRecord;
import keel.api.network.PortMapping;

/**
 * The driver with Debian's CNI plugins on the real kernel: namespaces made with {@code ip netns
 * add} attached to networks, traffic between them and from the host through published ports, and
 * nothing left behind (links, namespaces, leases, per-container iptables chains). Names contain
 * "kcn" (links) or "kcni-" (namespaces) and a random tag; subnets are 10.25x.y.0/24.
 */
class CniDriverTest {
    private static String tag;
    private static Path stateDir;
    private static Path confDir;
    private static CniSettings settings;
    private static String forwardingBefore;
    private static Set<String> chainsBefore;
    private static Set<String> tablesBefore;

    private CniDriver driver;
    private final List<NetworkRecord> networks = new ArrayList<>();
    private final List<Attachment> attachments = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private int containers;

    @BeforeAll
    static void host() throws IOException {
        Sh.assumeRoot();
        assertTrue(Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are installed (.ci/install-deps: containernetworking-plugins)");
        tag = Sh.randomTag();
        stateDir = Files.createTempDirectory("keel-cni-test");
        confDir = Files.createDirectories(stateDir.resolve("net.d"));
        forwardingBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        chainsBefore = Iptables.cniChains();
        tablesBefore = Iptables.nftTables();
        settings = new CniSettings(confDir, List.of(Path.of("/usr/lib/cni")), stateDir.resolve("state"),
                Duration.ofSeconds(30), "kcn" + tag + "0", freeSubnet(List.of()), "kcn" + tag + "-");
    }

    @BeforeEach
    void newDriver() {
        driver = new CniDriver(settings);
        driver.probe();
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (Stream<Path> files = Files.list(confDir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        for (Attachment a : attachments) {
            driver.detach(a);
        }
        for (NetworkRecord n : networks) {
            driver.delete(n);
        }
        namespaces.forEach(ns -> Sh.run("ip", "netns", "delete", ns));
    }

    @AfterAll
    static void nothingIsLeft() throws IOException {
        if (tag == null) {
            return;
        }
        List<String> links = Sh.linksWith("kcn" + tag);
        List<String> netns = Sh.netnsWith("kcni-" + tag);
        List<String> perContainer = Iptables.cniChains().stream().filter(c -> !chainsBefore.contains(c))
                .filter(c -> !Iptables.SHARED.contains(c.split(" ")[2])).toList();
        List<String> rules = Iptables.rulesWith("c" + tag + "-");
        links.forEach(l -> Sh.run("ip", "link", "delete", l));
        netns.forEach(n -> Sh.run("ip", "netns", "delete", n));
        Iptables.removeAdded(chainsBefore, tablesBefore);
        if (forwardingBefore.equals("0")) {
            Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "0");
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertEquals(List.of(), links, "links left behind (ip -o link)");
        assertEquals(List.of(), netns, "namespaces left behind");
        assertEquals(List.of(), perContainer, "per-container iptables chains left behind");
        assertEquals(List.of(), rules, "rules naming the test's containers left behind");
        assertEquals(List.of(), Iptables.cniChains().stream().filter(c -> !chainsBefore.contains(c)).toList(),
                "CNI chains after the clean-up");
    }

    @Test
    void twoNamespacesOnTheBuiltInNetworkGetDistinctAddressesAndReachEachOther() {
        NetworkRecord net = driver.create(new NetworkConfig("bridge", null, null, Map.of()));
        networks.add(net);
        assertEquals(settings.defaultSubnet(), net.subnet());
        assertEquals(settings.defaultBridge(), net.driverData().get("bridge"));
        assertEquals("cni", net.driver());
        String ns1 = netns("a");
        String ns2 = netns("b");
        Attachment a = attach(net, ns1);
        Attachment b = attach(net, ns2);

        assertNotEquals(a.addresses(), b.addresses());
        Cidr subnet = Cidr.parse(net.subnet());
        for (var pair : List.of(Map.entry(ns1, a), Map.entry(ns2, b))) {
            String ns = pair.getKey();
            Attachment at = pair.getValue();
            assertTrue(subnet.contains(Cidr.ipv4(ip(at))), at.addresses() + " in " + subnet);
            assertTrue(Sh.inNetns(ns, "ip", "-o", "-4", "addr", "show", "dev", "eth0").out()
                    .contains("inet " + at.addresses().get(0) + " "), "eth0 has the allocated address");
            assertTrue(Sh.inNetns(ns, "ip", "route", "show", "default").out()
                    .contains("default via " + Cidr.text(subnet.first()) + " dev eth0"), "default route via the gateway");
            assertEquals(at.mac(), Sh.inNetns(ns, "cat", "/sys/class/net/eth0/address").out().strip());
            assertTrue(Sh.inNetns(ns, "ip", "-o", "link", "show", "lo").out().contains("UP"), "the loopback is up");
            assertTrue(Sh.reaches(ns, Cidr.text(subnet.first())), "the gateway answers");
            assertEquals(Cidr.text(subnet.first()), at.gateway());
            assertEquals(settings.defaultBridge(), Sh.ok("cat", "/sys/class/net/" + at.hostIfName() + "/master/uevent")
                    .lines().filter(l -> l.startsWith("INTERFACE=")).findFirst().orElse("").substring("INTERFACE=".length()),
                    "the host veth is on the network's bridge");
            assertEquals("0.0.0.0/0", at.driverData().get("routes"), "the result's routes");
            assertTrue(at.driverData().get("interfaces").contains("eth0 (container)"), at.driverData().toString());
            assertEquals("bridge", at.driverData().get(Attachments.DATA_NETWORK));
        }
        assertTrue(Sh.reaches(ns1, ip(b)), "a reaches b across the bridge");
        assertTrue(Sh.reaches(ns2, ip(a)), "b reaches a across the bridge");
        driver.check(a);
        driver.check(b);
    }

    @Test
    void aPublishedPortReachesTheServerFromTheHost() throws Exception {
        NetworkRecord net = network("web");
        String ns = netns("w");
        int port = freePort();
        int loopbackOnly = freePort();
        Attachment web = attach(net, ns, new PortMapping(null, port, 80, "tcp"),
                new PortMapping("127.0.0.1", loopbackOnly, 80, "tcp"), new PortMapping(null, 0, 80, "tcp"));
        int chosen = web.ports().get(2).hostPort();
        assertTrue(chosen > 0, "host port 0 became a free port: " + web.ports());
        String gateway = net.gateway();
        try (NsServer server = new NsServer(ns, 80, "hello-" + tag)) {
            assertEquals("hello-" + tag, NsServer.fetch("127.0.0.1", port), "the host at 127.0.0.1");
            assertEquals("hello-" + tag, NsServer.fetch(gateway, port), "the host at its address on the bridge");
            assertEquals("hello-" + tag, NsServer.fetch("127.0.0.1", loopbackOnly), "published on 127.0.0.1 only");
            assertTrue(NsServer.fetch(gateway, loopbackOnly).startsWith("failed"), "published on 127.0.0.1 only");
            assertEquals("hello-" + tag, NsServer.fetch("127.0.0.1", chosen), "the chosen port");
        }
        assertEquals(List.of(new PortMapping(null, port, 80, "tcp"), new PortMapping("127.0.0.1", loopbackOnly, 80, "tcp"),
                new PortMapping(null, chosen, 80, "tcp")), web.ports());
        driver.check(web);
        driver.detach(web);
        attachments.remove(web);
        assertEquals(List.of(), Iptables.rulesWith("--dport " + port), "the DNAT rules went with DEL");
    }

    @Test
    void aHostPortInUseOrPublishedByAnotherContainerIsRefusedBeforeAnythingIsMade() throws Exception {
        NetworkRecord net = network("busy");
        int port = freePort();
        Attachment first = attach(net, netns("p1"), new PortMapping(null, port, 80, "tcp"));
        String ns = netns("p2");
        KeelException published = assertThrows(KeelException.class,
                () -> driver.attach(net, request(ns, new PortMapping("127.0.0.1", port, 8080, "tcp"))));
        assertEquals(ErrorKind.CONFLICT, published.kind());
        assertEquals("host port " + port + "/tcp is already published by container " + first.containerId()
                + " on network " + net.name() + ": publish another port", published.getMessage());
        int listened = freePort();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(listened)) {
            KeelException inUse = assertThrows(KeelException.class,
                    () -> driver.attach(net, request(ns, new PortMapping(null, listened, 80, "tcp"))));
            assertEquals(ErrorKind.CONFLICT, inUse.kind());
            assertTrue(inUse.getMessage().contains("port 0.0.0.0:" + listened + "/tcp is already in use"), inUse.getMessage());
        }
        assertEquals(List.of("lo"), Sh.inNetns(ns, "ls", "/sys/class/net").out().lines().toList(), "nothing in " + ns);
        assertEquals(1, leases(net.name()).size(), "only the first container holds an address");
        Attachment udp = attach(net, ns, new PortMapping(null, port, 53, "udp"));
        assertEquals("udp", udp.ports().get(0).protocol(), "the same number on another protocol is another port");
    }

    @Test
    void concurrentAttachesGetDistinctAddressesAndAllWork() throws Exception {
        NetworkRecord net = network("many");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            names.add(netns("m" + i));
        }
        List<Attachment> made = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<AttachRequest> requests = names.stream().map(ns -> request(ns, new PortMapping(null, 0, 80, "tcp"))).toList();
        List<Thread> threads = requests.stream().map(r -> new Thread(() -> {
            try {
                made.add(driver.attach(net, r));
            } catch (Throwable t) {
                failures.add(t);
            }
        })).toList();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        attachments.addAll(made);
        assertEquals(List.of(), failures);
        assertEquals(4, made.stream().map(CniDriverTest::ip).distinct().count(), "distinct addresses");
        for (Attachment a : made) {
            driver.check(a);
            assertTrue(Sh.reaches(names.get(0), ip(a)), "reaches " + ip(a));
        }
    }

    @Test
    void delReleasesTheAddressAndEverythingElse() {
        NetworkRecord net = network("del");
        String ns = netns("d");
        Attachment a = driver.attach(net, request(ns, new PortMapping(null, freePort(), 80, "tcp")));
        assertEquals(1, leases(net.name()).size());
        assertTrue(Iptables.rulesWith(ip(a) + "/32").size() >= 2, "masquerade and firewall rules for " + ip(a));

        driver.detach(a);
        assertEquals(List.of(), leases(net.name()), "host-local holds no address for it");
        assertEquals(List.of(), Sh.linksWith(a.hostIfName()), "the veth is gone");
        assertEquals(List.of(), Iptables.rulesWith(ip(a) + "/32"), "no rule for its address");
        assertEquals(List.of("lo"), Sh.inNetns(ns, "ls", "/sys/class/net").out().lines().toList());
        driver.detach(a); // twice is no error
        driver.check(attach(net, ns)); // the namespace can be attached again
    }

    @Test
    void delAfterTheNamespaceIsGoneReleasesTheAddressAndTheMasqueradeChain() {
        NetworkRecord net = network("gone");
        String ns = netns("g");
        Attachment a = driver.attach(net, request(ns, new PortMapping(null, freePort(), 80, "tcp")));
        Sh.ok("ip", "netns", "delete", ns);
        KeelException broken = assertThrows(KeelException.class, () -> driver.check(a));
        assertEquals(ErrorKind.NOT_FOUND, broken.kind());
        assertTrue(broken.getMessage().contains("network namespace " + a.netns() + " is gone"), broken.getMessage());

        driver.detach(a);
        assertEquals(List.of(), leases(net.name()));
        assertEquals(List.of(), Iptables.rulesWith(ip(a) + "/32"), "no masquerade or firewall rule for its address");
        assertFalse(Iptables.cniChains().stream().anyMatch(c -> c.endsWith(MasqChains.chain(net.name(), a.containerId()))),
                "its masquerade chain is gone (the plugin's DEL leaves it when the namespace is gone)");
    }

    @Test
    void checkPassesOnALiveAttachmentAndNamesTheProblemWhenTheVethIsRemoved() {
        NetworkRecord net = network("check");
        String ns = netns("h");
        Attachment a = attach(net, ns, new PortMapping(null, freePort(), 80, "tcp"));
        driver.check(a);
        Sh.ok("ip", "link", "delete", a.hostIfName());
        KeelException e = assertThrows(KeelException.class, () -> driver.check(a));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("the attachment of container " + a.containerId() + " to network " + net.name()
                + " is broken: CNI plugin bridge failed CHECK"), e.getMessage());
        assertTrue(e.getMessage().contains("eth0 not found"), e.getMessage());
    }

    @Test
    void aPluginsErrorIsReportedWithThePluginAndItsMessageAndNothingIsLeft() throws IOException {
        String name = "bad" + tag;
        Files.writeString(confDir.resolve("50-bad.conflist"), """
                {"cniVersion": "1.0.0", "name": "%s", "plugins": [
                  {"type": "bridge", "bridge": "kcn%s-x", "ipam": {"type": "host-local",
                    "ranges": [[{"subnet": "10.0.0.0/33"}]], "dataDir": "%s"}}]}
                """.formatted(name, tag, stateDir.resolve("bad-ipam")));
        NetworkRecord net = driver.create(new NetworkConfig(name, null, null, Map.of()));
        assertTrue(net.driverData().get("conflist").endsWith("50-bad.conflist"), net.driverData().toString());
        String ns = netns("e");
        KeelException e = assertThrows(KeelException.class, () -> driver.attach(net, request(ns)));
        assertTrue(e.getMessage().startsWith("CNI plugin bridge failed ADD of container c" + tag), e.getMessage());
        assertTrue(e.getMessage().contains("10.0.0.0/33"), "the plugin's own message: " + e.getMessage());
        assertTrue(e.getMessage().contains("(CNI error code "), e.getMessage());
        assertEquals(List.of("lo"), Sh.inNetns(ns, "ls", "/sys/class/net").out().lines().toList(), "nothing in " + ns);
        Sh.run("ip", "link", "delete", "kcn" + tag + "-x"); // the plugin makes the bridge before it fails on the range

        Files.writeString(confDir.resolve("60-missing.conflist"), """
                {"cniVersion": "1.0.0", "name": "missing%s", "plugins": [{"type": "bridge"}, {"type": "nosuchplugin"}]}
                """.formatted(tag));
        NetworkRecord missing = driver.create(new NetworkConfig("missing" + tag, null, null, Map.of()));
        KeelException notThere = assertThrows(KeelException.class, () -> driver.attach(missing, request(ns)));
        assertEquals(ErrorKind.NOT_FOUND, notThere.kind());
        assertTrue(notThere.getMessage().contains("CNI plugin nosuchplugin is not in /usr/lib/cni"), notThere.getMessage());

        Files.writeString(confDir.resolve("70-broken.conflist"), "{\"cniVersion\": \"1.0.0\", \"name\": \"x\"}");
        assertTrue(driver.describe().get("unusable configurations").contains("70-broken.conflist has no plugins"),
                driver.describe().toString());
    }

    @Test
    void userNetworksGetGeneratedConflistsAndDeleteTakesTheirBridge() {
        NetworkRecord chosen = driver.create(new NetworkConfig("auto" + tag, null, null, Map.of()));
        networks.add(chosen);
        Cidr subnet = Cidr.parse(chosen.subnet());
        assertTrue(subnet.toString().startsWith("10.89."), subnet.toString());
        assertFalse(subnet.overlaps(Cidr.parse(settings.defaultSubnet())));
        assertTrue(HostRoutes.read().stream().noneMatch(r -> r.destination().overlaps(subnet)), "avoids the host's routes");
        assertTrue(chosen.driverData().get("bridge").startsWith(settings.bridgePrefix()));
        assertTrue(Files.exists(settings.networksDir().resolve("auto" + tag + ".conflist")));

        NetworkRecord net = network("user");
        String bridge = net.driverData().get("bridge");
        Attachment a = driver.attach(net, request(netns("u")));
        KeelException inUse = assertThrows(KeelException.class, () -> driver.delete(net));
        assertEquals(ErrorKind.CONFLICT, inUse.kind());
        assertTrue(inUse.getMessage().contains("in use by 1 attachment(s) (containers " + a.containerId()), inUse.getMessage());
        driver.detach(a);
        driver.delete(net);
        networks.remove(net);
        assertEquals(List.of(), Sh.linksWith(bridge), "the bridge is gone");
        assertFalse(Files.exists(settings.networksDir().resolve(net.name() + ".conflist")));
        driver.delete(net); // again: no error

        KeelException overlap = assertThrows(KeelException.class,
                () -> driver.create(new NetworkConfig("over" + tag, chosen.subnet(), null, Map.of())));
        assertEquals(ErrorKind.CONFLICT, overlap.kind());
        KeelException twice = assertThrows(KeelException.class,
                () -> driver.create(new NetworkConfig("auto" + tag, null, null, Map.of())));
        assertEquals(ErrorKind.ALREADY_EXISTS, twice.kind());
        KeelException unknown = assertThrows(KeelException.class,
                () -> driver.create(new NetworkConfig("x" + tag, null, null, Map.of("icc", "false"))));
        assertEquals(ErrorKind.INVALID_ARGUMENT, unknown.kind());
    }

    @Test
    void aNewDriverInstanceChecksAdoptsAndDetachesTheOldOnesAttachment() {
        NetworkRecord net = network("restart");
        String ns = netns("r");
        Attachment old = driver.attach(net, request(ns, new PortMapping(null, freePort(), 80, "tcp")));
        CniDriver restarted = new CniDriver(settings);
        assertEquals(old, restarted.adopt(old));
        Attachment fresh = restarted.attach(net, request(netns("s")));
        attachments.add(fresh);
        assertNotEquals(ip(old), ip(fresh), "no address twice");
        restarted.detach(old);
        assertEquals(List.of(fresh.containerId() + " (" + ip(fresh) + ")"), leases(net.name()));
        assertThrows(KeelException.class, () -> restarted.check(old));
    }

    @Test
    void theHostsOwnNamespaceIsRefused() {
        NetworkRecord net = network("self");
        KeelException e = assertThrows(KeelException.class, () -> driver.attach(net,
                new AttachRequest("c" + tag, "c", "/proc/self/ns/net", "eth9", List.of(), List.of())));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("network mode host"), e.getMessage());
    }

    @Test
    void describeNamesThePluginsAndTheirVersions() {
        Map<String, String> facts = driver.describe();
        assertEquals("cni", facts.get("driver"));
        assertEquals("/usr/lib/cni", facts.get("cni.path"));
        assertTrue(facts.get("cni.versions").contains("1.0.0"), facts.toString());
    }

    // --- helpers

    private NetworkRecord network(String name) {
        NetworkRecord net = driver.create(new NetworkConfig(name + tag, freeSubnet(Stream.concat(networks.stream()
                .map(NetworkRecord::subnet), Stream.of(settings.defaultSubnet())).toList()), null, Map.of()));
        networks.add(net);
        assertNotNull(net.subnet());
        return net;
    }

    private String netns(String suffix) {
        String name = "kcni-" + tag + "-" + suffix;
        Sh.ok("ip", "netns", "add", name);
        namespaces.add(name);
        return name;
    }

    private AttachRequest request(String ns, PortMapping... ports) {
        return new AttachRequest("c" + tag + "-" + (++containers), "ctr", "/var/run/netns/" + ns, "eth0", List.of(ports),
                List.of());
    }

    private Attachment attach(NetworkRecord net, String ns, PortMapping... ports) {
        Attachment a = driver.attach(net, request(ns, ports));
        attachments.add(a);
        return a;
    }

    private static List<String> leases(String network) {
        return new Networks(settings, null).leaseHolders(network);
    }

    private static String ip(Attachment a) {
        return a.addresses().get(0).split("/")[0];
    }

    /** A random 10.250-254.y.0/24 that overlaps none of the host's routes nor {@code avoid}. */
    static String freeSubnet(List<String> avoid) {
        List<Cidr> used = new ArrayList<>(HostRoutes.read().stream().map(HostRoutes.Route::destination).toList());
        avoid.forEach(a -> used.add(Cidr.parse(a)));
        for (int attempt = 0; attempt < 1000; attempt++) {
            Cidr candidate = Cidr.parse("10." + (250 + ThreadLocalRandom.current().nextInt(5)) + "."
                    + ThreadLocalRandom.current().nextInt(256) + ".0/24");
            if (used.stream().noneMatch(candidate::overlaps)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("no free test subnet in 10.250.0.0/15");
    }

    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
