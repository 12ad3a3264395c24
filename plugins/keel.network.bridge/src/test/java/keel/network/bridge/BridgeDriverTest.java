package keel.network.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
import keel.network.bridge.ipam.Ipam;
import keel.network.bridge.ipam.PortReservations;
import keel.network.bridge.ipam.StateDir;
import keel.network.bridge.ipam.Subnet;

/**
 * The driver on the real kernel: namespaces it attaches (made with {@code ip netns add}), traffic
 * between them and from the host through published ports, and nothing left behind. Every name a
 * test makes contains "kt" and a random tag: bridges, veths, namespaces and the nftables table.
 */
class BridgeDriverTest {
    private static String tag;
    private static Path stateDir;
    private static BridgeSettings settings;
    private static String forwardingBefore;

    private BridgeDriver driver;
    private final List<NetworkRecord> networks = new ArrayList<>();
    private final List<Attachment> attachments = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private int containers;

    @BeforeAll
    static void host() throws IOException {
        Sh.assumeRoot();
        tag = Sh.randomTag();
        stateDir = Files.createTempDirectory("keel-network-test");
        settings = new BridgeSettings(stateDir, "keel" + tag, tag + "d0", tag + "-", tag, "nft");
        forwardingBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
    }

    @BeforeEach
    void newDriver() {
        driver = new BridgeDriver(settings);
    }

    @AfterEach
    void cleanUp() {
        for (Attachment a : attachments) {
            driver.detach(a);
        }
        for (NetworkRecord n : networks) {
            driver.delete(n);
        }
        namespaces.forEach(Sh::deleteNetns);
    }

    @AfterAll
    static void nothingIsLeft() throws IOException {
        if (tag == null) {
            return;
        }
        List<String> links = Sh.linksWith(tag);
        List<String> tables = Sh.tablesWith(tag);
        Sh.removeEverythingWith(tag);
        if (forwardingBefore.equals("0")) {
            Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "0");
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertEquals(List.of(), links, "links left behind (ip -o link)");
        assertEquals(List.of(), tables, "tables left behind (nft list tables)");
    }

    @Test
    void twoNamespacesOnOneNetworkReachEachOther() {
        NetworkRecord net = network("front");
        String ns1 = netns("a");
        String ns2 = netns("b");
        Attachment a = attach(net, ns1);
        Attachment b = attach(net, ns2);

        assertNotEquals(a.addresses(), b.addresses());
        for (var pair : List.of(Map.entry(ns1, a), Map.entry(ns2, b))) {
            String ns = pair.getKey();
            Attachment at = pair.getValue();
            assertTrue(Sh.inNetns(ns, "ip", "-o", "-4", "addr", "show", "dev", "eth0").out()
                    .contains("inet " + at.addresses().get(0) + " "), "eth0 has the allocated address");
            assertTrue(Sh.inNetns(ns, "ip", "route", "show", "default").out()
                    .contains("default via " + net.gateway() + " dev eth0"), "default route via the gateway");
            assertEquals(Integer.toString(TestNetworks.uplinkMtu()), Sh.inNetns(ns, "cat", "/sys/class/net/eth0/mtu").out().strip(),
                    "the uplink's MTU");
            assertEquals(at.mac(), Sh.inNetns(ns, "cat", "/sys/class/net/eth0/address").out().strip());
            assertTrue(Sh.reaches(ns, "127.0.0.1"), "lo is up inside");
            assertTrue(Sh.reaches(ns, net.gateway()), "the gateway answers");
        }
        assertTrue(Sh.reaches(ns1, ip(b)), "a reaches b");
        assertTrue(Sh.reaches(ns2, ip(a)), "b reaches a");
        driver.check(a);
        driver.check(b);
        assertEquals(a.netns(), "/var/run/netns/" + ns1);
        assertTrue(a.hostIfName().length() <= 15 && a.hostIfName().startsWith(tag), a.hostIfName());
        assertEquals("1", Sh.ok("cat", "/sys/class/net/" + a.hostIfName() + "/brport/hairpin_mode").strip(),
                "hairpin on the bridge port (set over rtnetlink, AF_BRIDGE)");
        assertEquals(net.driverData().get("bridge"), Sh.ok("cat", "/sys/class/net/" + a.hostIfName() + "/master/uevent")
                .lines().filter(l -> l.startsWith("INTERFACE=")).findFirst().orElse("").substring("INTERFACE=".length()));
    }

    @Test
    void aSecondNetworkIsASecondInterfaceAndKeepsTheFirstDefaultRoute() {
        NetworkRecord front = network("front");
        NetworkRecord back = network("back");
        String ns1 = netns("a");
        String ns3 = netns("c");
        Attachment a = attach(front, ns1);
        AttachRequest second = new AttachRequest("c" + tag + "-" + (++containers), "ctr", "/var/run/netns/" + ns1,
                "eth1", List.of(), List.of());
        Attachment a2 = driver.attach(back, second);
        attachments.add(a2);
        Attachment c = attach(back, ns3);

        assertEquals("true", a.driverData().get("default.route"));
        assertEquals("false", a2.driverData().get("default.route"));
        assertTrue(Sh.inNetns(ns1, "ip", "-o", "-4", "addr", "show", "dev", "eth1").out()
                .contains("inet " + a2.addresses().get(0) + " "), "eth1 has its address on the second network");
        assertEquals("default via " + front.gateway() + " dev eth0", Sh.inNetns(ns1, "ip", "route", "show", "default")
                .out().strip().replaceAll(" +(proto|onlink).*", ""), "one default route, the first network's");
        assertTrue(Sh.reaches(ns1, ip(c)), "the second network's peer answers on eth1");
        assertTrue(Sh.reaches(ns3, ip(a2)), "and reaches it back");
        driver.check(a);
        driver.check(a2);
        driver.detach(a2);
        assertFalse(Sh.inNetns(ns1, "ip", "-o", "link").out().contains("eth1"), "detach takes eth1 away");
        driver.check(a);
    }

    @Test
    void aNamespaceOnAnotherNetworkCannotReachThem() {
        NetworkRecord front = network("front");
        NetworkRecord back = network("back");
        String ns1 = netns("a");
        String ns3 = netns("c");
        Attachment a = attach(front, ns1);
        Attachment c = attach(back, ns3);

        assertTrue(Sh.reaches(ns1, front.gateway()), "front works");
        assertTrue(Sh.reaches(ns3, back.gateway()), "its own gateway answers");
        assertTrue(Sh.silent(ns3, ip(a)), "back cannot reach front");
        assertTrue(Sh.silent(ns1, ip(c)), "front cannot reach back");
    }

    @Test
    void aPublishedPortAnswersFromTheHostAtLoopbackAndAtItsOwnAddress() throws Exception {
        NetworkRecord net = network("web");
        NetworkRecord other = network("other");
        String ns1 = netns("w");
        String ns2 = netns("x");
        String ns3 = netns("y");
        int port = TestNetworks.freePort();
        int loopbackOnly = TestNetworks.freePort();
        Attachment web = attach(net, ns1, new PortMapping(null, port, 80, "tcp"),
                new PortMapping("127.0.0.1", loopbackOnly, 80, "tcp"));
        attach(net, ns2);
        attach(other, ns3);
        try (NsServer server = new NsServer(web.netns(), 80, "hello from " + ns1)) {
            String hello = "hello from " + ns1;
            assertEquals(hello, NsServer.fetch("127.0.0.1", port), "the host at 127.0.0.1");
            assertEquals(hello, NsServer.fetch(TestNetworks.uplinkAddress(), port), "the host at its own address");
            assertEquals(hello, NsServer.fetch("127.0.0.1", loopbackOnly), "a port published on 127.0.0.1 only");
            assertTrue(NsServer.fetch(TestNetworks.uplinkAddress(), loopbackOnly).startsWith("failed"),
                    "published on 127.0.0.1 only");
            assertTrue(Sh.inNetns(ns2, "bash", "-c", "exec 3<>/dev/tcp/" + TestNetworks.uplinkAddress() + "/" + port
                    + " && head -1 <&3").out().contains(hello), "a neighbour on the same network, through the host (hairpin)");
            assertTrue(Sh.inNetns(ns1, "bash", "-c", "exec 3<>/dev/tcp/" + TestNetworks.uplinkAddress() + "/" + port
                    + " && head -1 <&3").out().contains(hello), "the container itself, through its own published port");
            assertTrue(Sh.inNetns(ns3, "bash", "-c", "exec 3<>/dev/tcp/" + TestNetworks.uplinkAddress() + "/" + port
                    + " && head -1 <&3").out().contains(hello), "another network, through the published port");
            assertEquals("1", Files.readString(Path.of("/proc/sys/net/ipv4/conf", net.driverData().get("bridge"),
                    "route_localnet")).strip());
        }
        assertEquals(List.of(new PortMapping(null, port, 80, "tcp"), new PortMapping("127.0.0.1", loopbackOnly, 80, "tcp")),
                web.ports());
    }

    @Test
    void theNetworksRulesComeBackAtTheNextAttachAfterTheTableWasDeleted() throws Exception {
        NetworkRecord net = network("heal");
        String bridge = net.driverData().get("bridge");
        String before = Sh.ok("nft", "list", "table", "inet", settings.table());
        Sh.ok("nft", "delete", "table", "inet", settings.table()); // an operator's flush, or another Keel's last network

        int port = TestNetworks.freePort();
        List<AttachRequest> requests = new ArrayList<>(List.of(request(netns("h"), new PortMapping("127.0.0.1", port,
                80, "tcp"))));
        for (int i = 0; i < 4; i++) {
            requests.add(request(netns("h" + i)));
        }
        List<Attachment> made = attachTogether(net, requests); // one puts the network's rules back, once
        String after = Sh.ok("nft", "list", "table", "inet", settings.table());
        assertEquals(before.lines().filter(l -> l.contains("keel net " + bridge)).toList(),
                after.lines().filter(l -> l.contains("keel net " + bridge)).toList(), "the network's rules, once, as made");
        Attachment web = made.stream().filter(a -> !a.ports().isEmpty()).findFirst().orElseThrow();
        try (NsServer server = new NsServer(web.netns(), 80, "healed")) {
            assertEquals("healed", NsServer.fetch("127.0.0.1", port), "the published port at 127.0.0.1");
        }
    }

    @Test
    void aTakenHostPortIsRefusedBeforeAnythingIsCreated() throws Exception {
        NetworkRecord net = network("busy");
        String ns = netns("p");
        int port = TestNetworks.freePort();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            KeelException e = assertThrows(KeelException.class, () -> driver.attach(net, request(ns,
                    new PortMapping("127.0.0.1", port, 80, "tcp"))));
            assertEquals(ErrorKind.CONFLICT, e.kind());
            assertTrue(e.getMessage().contains("port 127.0.0.1:" + port + " is already in use"), e.getMessage());

            KeelException any = assertThrows(KeelException.class, () -> driver.attach(net, request(ns,
                    new PortMapping(null, port, 80, "tcp"))));
            assertTrue(any.getMessage().contains("port 0.0.0.0:" + port + " is already in use"), any.getMessage());
        }
        assertNothingOf(net, ns);
    }

    @Test
    void twoContainersCannotPublishTheSameHostPort() {
        NetworkRecord net = network("dup");
        int port = TestNetworks.freePort();
        attach(net, netns("d1"), new PortMapping(null, port, 80, "tcp"));
        String ns = netns("d2");
        KeelException e = assertThrows(KeelException.class,
                () -> driver.attach(net, request(ns, new PortMapping("127.0.0.1", port, 8080, "tcp"))));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("port 127.0.0.1:" + port + " is already in use"), e.getMessage());
        Attachment udp = attach(net, ns, new PortMapping(null, port, 53, "udp"));
        assertEquals("udp", udp.ports().get(0).protocol(), "the same number on another protocol is another port");
    }

    @Test
    void aFailedAttachLeavesNothingBehind() {
        NetworkRecord net = network("fail");
        String ns = netns("f");
        int port = TestNetworks.freePort();
        // "lo" exists in every namespace: the move of the peer fails after veth, lease and port were made.
        KeelException e = assertThrows(KeelException.class, () -> driver.attach(net, new AttachRequest("c" + tag,
                "c", "/var/run/netns/" + ns, "lo", List.of(new PortMapping(null, port, 80, "tcp")), List.of())));
        assertEquals(ErrorKind.ALREADY_EXISTS, e.kind());
        assertTrue(e.getMessage().contains("as lo failed"), e.getMessage());
        assertNothingOf(net, ns);
        Attachment after = attach(net, ns, new PortMapping(null, port, 80, "tcp"));
        driver.check(after);
    }

    @Test
    void twoHundredAttachDetachCyclesLeaveNothing() throws IOException {
        NetworkRecord net = network("churn");
        String ns = netns("k");
        int port = TestNetworks.freePort();
        long fdsBefore = openFiles();
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < 200; i++) {
            Attachment a = driver.attach(net, request(ns, new PortMapping(null, port, 80, "tcp")));
            driver.detach(a);
            if (i % 50 == 0) {
                driver.detach(a); // twice is no error
            }
        }
        assertNothingOf(net, ns);
        assertTrue(openFiles() <= fdsBefore + 5, "descriptors: " + fdsBefore + " before, " + openFiles() + " after");
        assertTrue(Thread.activeCount() <= threadsBefore + 2, "threads: " + threadsBefore + " before, "
                + Thread.activeCount() + " after");
    }

    @Test
    void aNewDriverInstanceSeesTheLeasesAndDetachesTheOldOnesAttachments() {
        NetworkRecord net = network("restart");
        int port = TestNetworks.freePort();
        Attachment old = driver.attach(net, request(netns("o"), new PortMapping(null, port, 80, "tcp")));

        BridgeDriver restarted = new BridgeDriver(settings);
        String ns = netns("n");
        KeelException taken = assertThrows(KeelException.class,
                () -> restarted.attach(net, request(ns, new PortMapping(null, port, 81, "tcp"))));
        assertEquals(ErrorKind.CONFLICT, taken.kind(), "its port is still reserved");
        Attachment fresh = restarted.attach(net, request(ns));
        attachments.add(fresh);
        assertNotEquals(old.addresses(), fresh.addresses(), "no address twice");

        assertEquals(old, restarted.adopt(old));
        restarted.check(old);
        restarted.detach(old);
        assertTrue(Sh.linksWith(old.hostIfName()).isEmpty(), "the old veth is gone");
        assertFalse(leased(net).contains(ip(old)), "its address is free");
        KeelException broken = assertThrows(KeelException.class, () -> restarted.check(old));
        assertEquals(ErrorKind.NOT_FOUND, broken.kind());
        restarted.detach(old); // again: no error
    }

    @Test
    void checkNamesWhatIsBroken() {
        NetworkRecord net = network("check");
        String ns = netns("h");
        Attachment a = attach(net, ns, new PortMapping(null, TestNetworks.freePort(), 80, "tcp"));
        driver.check(a);
        Sh.inNetns(ns, "ip", "route", "del", "default");
        KeelException noRoute = assertThrows(KeelException.class, () -> driver.check(a));
        assertTrue(noRoute.getMessage().contains("the default route via " + net.gateway() + " on eth0 is missing"),
                noRoute.getMessage());
        Sh.ok("nft", "flush", "chain", "inet", settings.table(), "output");
        KeelException noRules = assertThrows(KeelException.class, () -> driver.check(a));
        assertTrue(noRules.getMessage().contains("1 of its 2 nftables rules"), noRules.getMessage());
    }

    @Test
    void theHostsOwnNamespaceIsRefused() {
        NetworkRecord net = network("self");
        KeelException e = assertThrows(KeelException.class, () -> driver.attach(net, new AttachRequest("c" + tag, "c",
                "/proc/self/ns/net", "eth9", List.of(), List.of())));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("network mode host"), e.getMessage());
        assertTrue(leased(net).isEmpty());
    }

    @Test
    void deleteIsRefusedWhileInUseAndThenRemovesTheBridgeAndItsRules() {
        NetworkRecord net = driver.create(new NetworkConfig("del" + tag, TestNetworks.freeSubnet(subnets()), null, Map.of()));
        String bridge = net.driverData().get("bridge");
        Attachment a = driver.attach(net, request(netns("e")));
        KeelException inUse = assertThrows(KeelException.class, () -> driver.delete(net));
        assertEquals(ErrorKind.CONFLICT, inUse.kind());
        assertTrue(inUse.getMessage().contains("in use by 1 attachment"), inUse.getMessage());
        assertTrue(Sh.linksWith(bridge).contains(bridge));

        driver.detach(a);
        driver.delete(net);
        assertEquals(List.of(), Sh.linksWith(bridge), "the bridge is gone");
        assertFalse(Sh.run("nft", "list", "table", "inet", settings.table()).out().contains("keel net " + bridge),
                "its rules are gone");
        assertEquals(List.of(), Sh.tablesWith(tag), "the last network took the table with it");
        driver.delete(net); // again: no error
    }

    @Test
    void anotherKeelsRulesKeepTheSharedTableWhenTheLastNetworkHereIsDeleted() throws IOException {
        // another daemon on the host: its own root (state directory), the same table and names
        Path otherState = Files.createTempDirectory("keel-network-test-other");
        BridgeDriver other = new BridgeDriver(new BridgeSettings(otherState, settings.table(), tag + "o0", tag + "o",
                tag, "nft"));
        NetworkRecord theirs = other.create(new NetworkConfig("theirs" + tag, TestNetworks.freeSubnet(subnets()), null,
                Map.of()));
        try {
            NetworkRecord ours = driver.create(new NetworkConfig("ours" + tag, TestNetworks.freeSubnet(subnets()), null,
                    Map.of()));
            driver.delete(ours); // the last network of this instance

            String table = Sh.run("nft", "list", "table", "inet", settings.table()).out();
            assertFalse(table.contains("keel net " + ours.driverData().get("bridge")), table);
            assertTrue(table.contains("keel net " + theirs.driverData().get("bridge")),
                    "the other instance's rules are still there: " + table);
        } finally {
            other.delete(theirs);
            try (Stream<Path> files = Files.walk(otherState)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertEquals(List.of(), Sh.tablesWith(tag), "the last network on the host took the table with it");
    }

    @Test
    void withoutASubnetOneIsChosenThatAvoidsTheHostsRoutes() throws IOException {
        List<Subnet> before = TestNetworks.hostSubnets();
        NetworkRecord net = driver.create(new NetworkConfig("bridge", null, null, Map.of()));
        networks.add(net);
        Subnet chosen = Subnet.parse(net.subnet());
        assertTrue(before.stream().noneMatch(chosen::overlaps), chosen + " overlaps one of " + before);
        assertEquals(chosen.first().toString(), net.gateway());
        assertEquals(settings.defaultBridge(), net.driverData().get("bridge"), "the default network's bridge");
        assertEquals("bridge", net.driver());
        assertTrue(Sh.ok("ip", "-o", "-4", "addr", "show", "dev", settings.defaultBridge())
                .contains(net.gateway() + "/" + chosen.prefixLength()));
        assertEquals("1", Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip());
        Map<String, String> facts = driver.describe();
        assertEquals("bridge", facts.get("driver"));
        assertEquals("inet " + settings.table(), facts.get("nftables.table"));
        assertTrue(facts.get("nftables").startsWith("nftables v"), facts.toString());

        NetworkRecord second = network("second");
        assertTrue(second.driverData().get("bridge").startsWith(tag + "-"));
        KeelException overlap = assertThrows(KeelException.class,
                () -> driver.create(new NetworkConfig("third" + tag, net.subnet(), null, Map.of())));
        assertEquals(ErrorKind.CONFLICT, overlap.kind());
        KeelException sameName = assertThrows(KeelException.class,
                () -> driver.create(new NetworkConfig("bridge", null, null, Map.of())));
        assertEquals(ErrorKind.ALREADY_EXISTS, sameName.kind());
        KeelException unknown = assertThrows(KeelException.class,
                () -> driver.create(new NetworkConfig("x" + tag, null, null, Map.of("icc", "false"))));
        assertEquals(ErrorKind.INVALID_ARGUMENT, unknown.kind());
    }

    @Test
    void concurrentAttachesGetDistinctAddressesAndAllWork() throws Exception {
        NetworkRecord net = network("many");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            names.add(netns("m" + i));
        }
        List<AttachRequest> requests = names.stream().map(ns -> request(ns, new PortMapping(null, 0, 80, "tcp"))).toList();
        List<Attachment> made = attachTogether(net, requests);
        assertEquals(6, made.stream().map(BridgeDriverTest::ip).distinct().count(), "distinct addresses");
        assertEquals(6, made.stream().map(a -> a.ports().get(0).hostPort()).distinct().count(), "distinct host ports");
        for (Attachment a : made) {
            driver.check(a);
            assertTrue(Sh.reaches(names.get(0), ip(a)), "reaches " + ip(a));
        }
    }

    @Test
    void aFailureAtTheLastStepUndoesEveryStepBefore() throws IOException {
        NetworkRecord net = network("undo");
        String ns = netns("u");
        // An nft that lists but refuses every change: the attach fails when it publishes the ports.
        Path failingNft = stateDir.resolve("nft-that-fails");
        Files.writeString(failingNft, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -f ] && { echo 'injected failure' >&2; exit 1; }; done\n"
                + "exec nft \"$@\"\n");
        failingNft.toFile().setExecutable(true);
        BridgeDriver failing = new BridgeDriver(new BridgeSettings(stateDir, settings.table(), settings.defaultBridge(),
                settings.bridgePrefix(), settings.vethPrefix(), failingNft.toString()));
        KeelException e = assertThrows(KeelException.class,
                () -> failing.attach(net, request(ns, new PortMapping(null, TestNetworks.freePort(), 80, "tcp"))));
        assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
        assertNothingOf(net, ns);
    }

    @Test
    void aContainerWhoseNamespaceIsGoneIsDetachedWithoutError() {
        NetworkRecord net = network("gone");
        String ns = netns("g");
        Attachment a = driver.attach(net, request(ns, new PortMapping(null, TestNetworks.freePort(), 80, "tcp")));
        Sh.deleteNetns(ns);
        KeelException broken = assertThrows(KeelException.class, () -> driver.check(a));
        assertTrue(broken.getMessage().contains("network namespace " + a.netns() + " is gone"), broken.getMessage());
        driver.detach(a);
        assertTrue(Sh.linksWith(a.hostIfName()).isEmpty());
        assertEquals(List.of(), leased(net));
        assertFalse(Sh.run("nft", "list", "table", "inet", settings.table()).out().contains("keel att"));
    }

    @Test
    void aRecordNamingAHostInterfaceCannotDeleteIt() {
        NetworkRecord net = network("guard");
        Attachment real = attach(net, netns("q"));
        String uplink = TestNetworks.uplink();
        Attachment forged = new Attachment(real.containerId(), real.network(), real.netns(), real.ifName(), uplink,
                real.addresses(), real.gateway(), real.mac(), real.ports(), real.driverData());
        KeelException e = assertThrows(KeelException.class, () -> driver.detach(forged));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("does not delete it"), e.getMessage());
        assertTrue(Sh.ok("ip", "-o", "link", "show", "dev", uplink).contains(uplink), "the uplink is still there");
        driver.delete(new NetworkRecord("0123456789abcdef", "forged", "bridge", "10.0.0.0/24", "10.0.0.1",
                Map.of("bridge", uplink)));
        assertTrue(Sh.ok("ip", "-o", "link", "show", "dev", uplink).contains(uplink), "the uplink is still there");
        driver.check(real);
    }

    // --- helpers

    private NetworkRecord network(String name) {
        NetworkRecord net = driver.create(new NetworkConfig(name + tag, TestNetworks.freeSubnet(subnets()), null, Map.of()));
        networks.add(net);
        return net;
    }

    private List<String> subnets() {
        return networks.stream().map(NetworkRecord::subnet).toList();
    }

    private String netns(String suffix) {
        String name = tag + "ns" + suffix;
        Sh.addNetns(name);
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

    private static String ip(Attachment a) {
        return a.addresses().get(0).split("/")[0];
    }

    private List<String> leased(NetworkRecord net) {
        return new Ipam(new StateDir(stateDir)).require(net.id()).leases().stream().map(l -> l.address().toString()).toList();
    }

    /** No veth of the driver, no attachment rule, no lease, no port, nothing but lo in the namespace. */
    private void assertNothingOf(NetworkRecord net, String ns) {
        String bridge = net.driverData().get("bridge");
        assertEquals(List.of(), Sh.linksWith(tag).stream().filter(l -> !l.equals(bridge) && !l.contains(tag + "-")
                && !l.equals(settings.defaultBridge())).toList(), "veths left");
        assertFalse(Sh.run("nft", "list", "table", "inet", settings.table()).out().contains("keel att"), "attachment rules left");
        assertEquals(List.of(), leased(net), "leases left");
        assertEquals(List.of(), new PortReservations(new StateDir(stateDir)).all(), "port reservations left");
        assertEquals(List.of("lo"), Sh.inNetns(ns, "ls", "/sys/class/net").out().lines().toList(), "interfaces in " + ns);
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Attaches every request on a thread of its own, all at once; each attachment is cleaned up after the test. */
    private List<Attachment> attachTogether(NetworkRecord net, List<AttachRequest> requests) throws InterruptedException {
        List<Attachment> made = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
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
        return made;
    }
}
