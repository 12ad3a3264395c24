package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Networking through the CLI with busybox containers: names on user-defined networks (and none on
 * the default one), isolation between networks, connect/disconnect, -P and {@code keel port}, a
 * taken host port, the none, host and container: modes, and a churn of --rm runs on the default
 * bridge that leaves nothing behind. The networks are removed afterwards and no bridge is left.
 */
class NetworkCliTest {
    static final String NET_A = "knet-a";
    static final String NET_B = "knet-b";
    static Keel keel;
    static final List<String> bridges = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("network");
        Path base = Path.of(System.getProperty("keel.it.tmp")).resolve("network");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Path layer = base.resolve("layer.tar");
        assertEquals(0, Keel.exec(List.of("tar", "-C", rootfs.toString(), "-cf", layer.toString(), ".")).code());
        ok(keel.keel("import", layer.toString(), "busybox:net"));
        ok(keel.keel("load", "-i", DockerArchives.write(base.resolve("exposed"), "busybox:exposed",
                "{\"ExposedPorts\":{\"80/tcp\":{}},\"Cmd\":[\"sh\"]}", layer).toString()));
        for (String net : List.of(NET_A, NET_B)) {
            ok(keel.keel("network", "create", net));
            Matcher m = Pattern.compile("\"bridge\"\\s*:\\s*\"([^\"]+)\"").matcher(keel.keel("network", "inspect", net)
                    .out());
            assertTrue(m.find(), "no bridge in network inspect " + net);
            bridges.add(m.group(1));
        }
    }

    @AfterEach
    void removeContainers() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        List<Keel.Result> removed = new ArrayList<>();
        for (String net : List.of(NET_A, NET_B, "bridge")) {
            removed.add(keel.keel("network", "rm", net));
        }
        keel.close();
        removed.forEach(NetworkCliTest::ok);
        String links = Keel.exec(List.of("ip", "-o", "link")).out();
        for (String bridge : bridges) {
            assertFalse(links.contains(bridge), "bridge " + bridge + " is left:\n" + links);
        }
        assertFalse(links.contains("keel0"), "the default bridge is left:\n" + links);
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(keel.root.toString()),
                "a mount under the test root is left");
    }

    @Test
    void containersOnAUserNetworkReachEachOtherByNameAndAlias() throws Exception {
        web("web-a", NET_A, "--network-alias", "www");
        Keel.Result client = keel.keel("run", "--rm", "--network", NET_A, "busybox:net", "sh", "-c",
                "ping -c1 -W2 web-a && wget -qO- http://web-a/ && wget -qO- http://www/");
        ok(client);
        assertEquals(2, client.out().lines().filter(l -> l.equals("served-by-web-a")).count(), client.toString());

        // the other way round: a container started later is in the first one's /etc/hosts
        ok(keel.keel("run", "-d", "--name", "peer-a", "--network", NET_A, "busybox:net", "sleep", "1000"));
        ok(keel.keel("exec", "web-a", "ping", "-c1", "-W2", "peer-a"));
        ok(keel.keel("rm", "-f", "peer-a"));
        Keel.Result gone = keel.keel("exec", "web-a", "ping", "-c1", "-W1", "peer-a");
        assertNotEquals(0, gone.code(), "peer-a still resolves after its removal: " + gone);
    }

    @Test
    void theDefaultBridgeResolvesNoNames() throws Exception {
        ok(keel.keel("run", "-d", "--name", "plain", "busybox:net", "sleep", "1000"));
        Keel.Result lookup = keel.keel("run", "--rm", "busybox:net", "ping", "-c1", "-W1", "plain");
        assertNotEquals(0, lookup.code(), lookup.toString());
        assertTrue(lookup.err().contains("bad address") || lookup.out().contains("bad address"), lookup.toString());
        Keel.Result alias = keel.keel("run", "--rm", "--network-alias", "x", "busybox:net", "true");
        assertEquals(125, alias.code(), alias.toString());
        assertTrue(alias.err().contains("--network-alias"), alias.err());
    }

    @Test
    void aContainerOnAnotherNetworkCannotReachThem() throws Exception {
        web("web-iso", NET_A);
        String ip = address("web-iso", "eth0");
        // the control: from its own network the address answers
        // --init: timeout's SIGTERM would not end a PID 1 without a handler (dropped SYNs: a 2-minute connect)
        ok(keel.keel("run", "--rm", "--init", "--network", NET_A, "busybox:net", "timeout", "3", "wget", "-qO-",
                "http://" + ip + "/"));
        Keel.Result byAddress = keel.keel("run", "--rm", "--init", "--network", NET_B, "busybox:net", "timeout", "3",
                "wget", "-qO-", "http://" + ip + "/");
        assertNotEquals(0, byAddress.code(), "network B reached network A: " + byAddress);
        Keel.Result ping = keel.keel("run", "--rm", "--network", NET_B, "busybox:net", "ping", "-c1", "-W2", ip);
        assertNotEquals(0, ping.code(), "network B pinged network A: " + ping);
        Keel.Result byName = keel.keel("run", "--rm", "--network", NET_B, "busybox:net", "ping", "-c1", "-W1",
                "web-iso");
        assertTrue(byName.err().contains("bad address"), byName.toString());
    }

    @Test
    void connectAddsAnInterfaceAndNamesAndDisconnectTakesThemAway() throws Exception {
        web("web-c", NET_A);
        ok(keel.keel("run", "-d", "--name", "roamer", "--network", NET_B, "busybox:net", "sleep", "1000"));
        assertNotEquals(0, keel.keel("exec", "roamer", "timeout", "2", "wget", "-qO-", "http://web-c/").code());

        ok(keel.keel("network", "connect", "--alias", "rover", NET_A, "roamer"));
        String links = keel.keel("exec", "roamer", "ip", "-o", "link").out();
        assertTrue(links.contains("eth0") && links.contains("eth1"), links);
        Keel.Result fetched = keel.keel("exec", "roamer", "timeout", "3", "wget", "-qO-", "http://web-c/");
        ok(fetched);
        assertTrue(fetched.out().contains("served-by-web-c"), fetched.toString());
        ok(keel.keel("exec", "web-c", "ping", "-c1", "-W2", "roamer"));
        ok(keel.keel("exec", "web-c", "ping", "-c1", "-W2", "rover"));
        assertEquals(125, keel.keel("network", "connect", NET_A, "roamer").code(), "connected twice");

        ok(keel.keel("network", "disconnect", NET_A, "roamer"));
        assertFalse(keel.keel("exec", "roamer", "ip", "-o", "link").out().contains("eth1"));
        assertNotEquals(0, keel.keel("exec", "roamer", "timeout", "2", "wget", "-qO-", "http://web-c/").code());
        assertNotEquals(0, keel.keel("exec", "web-c", "ping", "-c1", "-W1", "roamer").code());
        // its own network still works
        ok(keel.keel("exec", "roamer", "ip", "-4", "-o", "addr", "show", "eth0"));

        // a connection made while it is stopped is attached when it starts, and again at every start
        ok(keel.keel("run", "-d", "--name", "later", "--network", NET_B, "busybox:net", "sleep", "1000"));
        ok(keel.keel("stop", "-t", "0", "later"));
        ok(keel.keel("network", "connect", NET_A, "later"));
        ok(keel.keel("start", "later"));
        assertTrue(keel.keel("exec", "later", "ip", "-o", "link").out().contains("eth1"));
        ok(keel.keel("exec", "later", "timeout", "3", "wget", "-qO-", "http://web-c/"));
        ok(keel.keel("exec", "web-c", "ping", "-c1", "-W2", "later"));
    }

    @Test
    void theNetworkAContainerWasCreatedOnCanBeDisconnectedAndJoinedAgainAndInspectListsItsContainers()
            throws Exception {
        web("web-d", NET_A);
        ok(keel.keel("run", "-d", "--name", "leaver", "--network", NET_B, "busybox:net", "sleep", "1000"));
        ok(keel.keel("run", "-d", "--name", "idle-b", "--network", NET_B, "busybox:net", "true"));
        ok(keel.keel("wait", "idle-b"));
        String leaverIp = address("leaver", "eth0");
        String members = keel.keel("network", "inspect", NET_B).out();
        assertTrue(members.contains("\"leaver\"") && members.contains(leaverIp), members);
        assertTrue(members.contains("\"idle-b\""), "a stopped container created on the network is on it: " + members);
        assertFalse(members.contains("\"web-d\""), members);
        assertTrue(keel.keel("network", "inspect", NET_A).out().contains(address("web-d", "eth0")));

        // disconnected from the network it was created on: only loopback, and the network no longer lists it
        ok(keel.keel("network", "disconnect", NET_B, "leaver"));
        assertEquals(List.of("lo"), interfaces("leaver"));
        assertFalse(keel.keel("network", "inspect", NET_B).out().contains("\"leaver\""));
        Keel.Result twice = keel.keel("network", "disconnect", NET_B, "leaver");
        assertEquals(125, twice.code(), twice.toString());
        assertTrue(twice.err().contains("not connected to network " + NET_B), twice.err());

        // another network instead: it becomes eth0, and the container reaches that network's members by name
        ok(keel.keel("network", "connect", NET_A, "leaver"));
        assertEquals(List.of("eth0", "lo"), interfaces("leaver"));
        ok(keel.keel("exec", "leaver", "timeout", "3", "wget", "-qO-", "http://web-d/"));
        // a restart keeps the choice: not on B, on A
        ok(keel.keel("stop", "-t", "0", "leaver"));
        ok(keel.keel("start", "leaver"));
        assertEquals(List.of("eth0", "lo"), interfaces("leaver"));
        ok(keel.keel("exec", "leaver", "timeout", "3", "wget", "-qO-", "http://web-d/"));

        // joined again to its first network: an interface with an address there, listed by inspect
        ok(keel.keel("network", "connect", NET_B, "leaver"));
        assertEquals(List.of("eth0", "eth1", "lo"), interfaces("leaver"));
        String again = address("leaver", "eth1");
        assertTrue(keel.keel("network", "inspect", NET_B).out().contains(again));
        assertEquals(125, keel.keel("network", "connect", NET_B, "leaver").code(), "connected twice");

        // a network a stopped container was created on cannot be removed under it
        Keel.Result inUse = keel.keel("network", "rm", NET_B);
        assertEquals(1, inUse.code(), inUse.toString()); // as every rm of several names
        assertTrue(inUse.err().contains("idle-b") && inUse.err().contains("leaver"), inUse.err());
    }

    /** The names of a running container's interfaces, sorted. */
    private static List<String> interfaces(String container) throws Exception {
        Keel.Result links = keel.keel("exec", container, "ls", "/sys/class/net");
        ok(links);
        return java.util.Arrays.stream(links.out().strip().split("\\s+")).sorted().toList();
    }

    @Test
    void publishAllMapsTheExposedPortsAndPortShowsThem() throws Exception {
        ok(keel.keel("run", "-d", "-P", "--name", "pweb", "busybox:exposed", "sh", "-c",
                "mkdir -p /www && echo served-by-pweb > /www/index.html && exec httpd -f -p 80 -h /www"));
        Keel.Result all = keel.keel("port", "pweb");
        ok(all);
        Matcher m = Pattern.compile("^80/tcp -> 0\\.0\\.0\\.0:(\\d+)$").matcher(all.out().strip());
        assertTrue(m.matches(), all.toString());
        int port = Integer.parseInt(m.group(1));
        assertTrue(port > 1024, all.out());
        Keel.Result one = keel.keel("port", "pweb", "80/tcp");
        ok(one);
        assertEquals("0.0.0.0:" + port, one.out().strip());
        assertTrue(get("http://127.0.0.1:" + port + "/").contains("served-by-pweb"));
        Keel.Result none = keel.keel("port", "pweb", "81");
        assertNotEquals(0, none.code(), none.toString());
        assertTrue(none.err().contains("81/tcp"), none.err());
    }

    @Test
    void aTakenHostPortFailsTheRunBeforeItsCommandRuns() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Keel.Result run = keel.keel("run", "--rm", "-p", "127.0.0.1:" + port + ":80", "busybox:net", "sh", "-c",
                    "echo the-command-ran");
            assertEquals(125, run.code(), run.toString());
            assertTrue(run.err().contains(Integer.toString(port)), run.err());
            assertFalse(run.out().contains("the-command-ran"), run.out());
            assertEquals("", keel.keel("ps", "-aq").out(), "the refused --rm run left a container");
        }
    }

    @Test
    void networkNoneHasOnlyLoopbackAndHostSeesTheHostsInterfaces() throws Exception {
        Keel.Result none = keel.keel("run", "--rm", "--network", "none", "busybox:net", "ip", "-o", "link");
        ok(none);
        List<String> names = none.out().lines().map(l -> l.split(": ")[1]).toList();
        assertEquals(List.of("lo"), names, none.out());

        String route = Keel.exec(List.of("ip", "route", "show", "default")).out();
        Matcher dev = Pattern.compile("dev (\\S+)").matcher(route);
        assertTrue(dev.find(), route);
        Keel.Result host = keel.keel("run", "--rm", "--network", "host", "busybox:net", "ip", "-o", "link");
        ok(host);
        assertTrue(host.out().contains(": " + dev.group(1) + ":"), host.out());
    }

    @Test
    void networkContainerJoinsAnotherContainersNamespace() throws Exception {
        ok(keel.keel("run", "-d", "--name", "owner", "--network", NET_A, "busybox:net", "sleep", "1000"));
        String ip = address("owner", "eth0");
        Keel.Result joined = keel.keel("run", "--rm", "--network", "container:owner", "busybox:net", "ip", "-4", "-o",
                "addr", "show", "eth0");
        ok(joined);
        assertTrue(joined.out().contains("inet " + ip + "/"), joined.toString());
        Keel.Result missing = keel.keel("run", "--rm", "--network", "container:nosuch", "busybox:net", "true");
        assertNotEquals(0, missing.code(), missing.toString());
        Keel.Result ports = keel.keel("run", "--rm", "-p", "8080:80", "--network", "container:owner", "busybox:net",
                "true");
        assertEquals(125, ports.code(), ports.toString());
        assertTrue(ports.err().contains("-p/-P"), ports.err());
    }

    @Test
    void twoHundredRunsOnTheDefaultBridgeLeaveNothingBehind() throws Exception {
        ok(keel.keel("run", "--rm", "busybox:net", "true")); // makes the default network
        Leftovers before = Leftovers.now(keel);
        for (int i = 0; i < 200; i++) {
            Keel.Result run = keel.keel("run", "--rm", "busybox:net", "true");
            assertEquals(0, run.code(), "run " + i + ": " + run);
        }
        Leftovers after = Leftovers.now(keel);
        assertEquals(before, after);
        assertEquals("", keel.keel("ps", "-aq").out());
    }

    /** What an attachment to the default bridge leaves on the host if it is not cleaned up. */
    record Leftovers(String portsOnBridge, String bridgeAddresses, String attachmentRules, List<String> leases,
            List<String> containerCgroups) {
        static Leftovers now(Keel keel) throws Exception {
            String rules = Keel.exec(List.of("nft", "list", "table", "inet", "keel")).out().lines()
                    .filter(l -> l.contains("keel att")).reduce("", (a, b) -> a + b + "\n");
            List<String> leases = new ArrayList<>();
            try (var files = Files.list(keel.root.resolve("network.bridge/networks"))) {
                for (Path f : files.toList()) {
                    Files.readAllLines(f).stream().filter(l -> l.startsWith("lease ")).forEach(leases::add);
                }
            }
            List<String> cgroups = new ArrayList<>(); // a container's cgroup while any of its processes (and so
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) { // its network namespace) lives
                for (Path h : hierarchies.toList()) {
                    Path parent = h.resolve(Keel.CGROUP_PARENT);
                    if (Files.isDirectory(parent) && !Files.isSymbolicLink(h)) {
                        try (var children = Files.list(parent)) {
                            children.filter(Files::isDirectory).forEach(c -> cgroups.add(c.toString()));
                        }
                    }
                }
            }
            return new Leftovers(Keel.exec(List.of("ip", "-o", "link", "show", "master", "keel0")).out(),
                    Keel.exec(List.of("ip", "-4", "-o", "addr", "show", "dev", "keel0")).out(), rules, leases,
                    cgroups);
        }
    }

    private static void web(String name, String network, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", network));
        args.addAll(List.of(more));
        args.addAll(List.of("busybox:net", "sh", "-c", "mkdir -p /www && echo served-by-" + name
                + " > /www/index.html && exec httpd -f -p 80 -h /www"));
        ok(keel.keel(args.toArray(String[]::new)));
        Keel.Result serving = null;
        for (int i = 0; i < 50; i++) {
            serving = keel.keel("exec", name, "wget", "-qO-", "http://127.0.0.1/");
            if (serving.code() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " does not serve: " + serving);
    }

    private static String address(String container, String ifName) throws Exception {
        Keel.Result addr = keel.keel("exec", container, "ip", "-4", "-o", "addr", "show", ifName);
        ok(addr);
        Matcher m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(addr.out());
        assertTrue(m.find(), addr.out());
        return m.group(1);
    }

    private static String get(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String body = "";
        for (int i = 0; i < 50 && body.isEmpty(); i++) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        return body;
    }

    private static void ok(Keel.Result result) {
        assertEquals(0, result.code(), result.toString());
    }
}
