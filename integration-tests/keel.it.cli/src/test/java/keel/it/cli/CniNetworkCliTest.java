package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CNI network driver through the keel client: listed standing by, swapped in, a user network
 * made of a generated conflist, a container with a published port served from the host and
 * reached by a second container, its attachment released by a restarted daemon from the record
 * alone, and nothing left: no per-container iptables rule, lease or bridge. Names carry "kcni".
 */
class CniNetworkCliTest {
    static Keel keel;
    static Path rootfs;
    static String network;
    static List<String> tablesBefore;
    static List<String> chainsBefore;

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("cni");
        rootfs = Path.of(System.getProperty("keel.it.tmp")).resolve("cni/rootfs");
        Keel.busyboxRootfs(rootfs);
        network = "kcni" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        tablesBefore = lines("nft", "list", "tables");
        chainsBefore = cniChains();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (keel == null) {
            return;
        }
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        keel.keel("network", "rm", network);
        keel.close();
        // the chains portmap and firewall make once per host, and the iptables-nft tables, if this test made them
        for (String chain : cniChains()) {
            if (!chainsBefore.contains(chain)) {
                String[] f = chain.split(" ");
                for (String rule : lines("iptables-save", "-t", f[0])) {
                    if (rule.startsWith("-A ") && rule.endsWith("-j " + f[1]) && !rule.startsWith("-A CNI-")) {
                        Keel.exec(List.of("bash", "-c", "iptables -w -t " + f[0] + " " + rule.replaceFirst("^-A", "-D")));
                    }
                }
            }
        }
        for (String step : List.of("-F", "-X")) {
            for (String chain : cniChains()) {
                if (!chainsBefore.contains(chain)) {
                    String[] f = chain.split(" ");
                    Keel.exec(List.of("iptables", "-w", "-t", f[0], step, f[1]));
                }
            }
        }
        for (String table : lines("nft", "list", "tables")) { // "table ip nat"
            String[] f = table.split(" ");
            String save = f[1].equals("ip") ? "iptables-save" : "ip6tables-save";
            if (!tablesBefore.contains(table) && List.of("nat", "filter").contains(f[2])
                    && lines(save, "-t", f[2]).stream().noneMatch(l -> l.startsWith("-A "))) {
                Keel.exec(List.of("nft", "delete", "table", f[1], f[2]));
            }
        }
        assertEquals(List.of(), cniChains().stream().filter(c -> !chainsBefore.contains(c)).toList(), "CNI chains left");
    }

    @Test
    void aContainerOnACniNetworkPublishesAPortAndARestartedDaemonDetachesIt() throws Exception {
        assertEquals(0, keel.keel("swap", "--auto", "network").code(), "ranking decides (a pin of an earlier run goes)");
        Keel.Result drivers = keel.keel("drivers");
        for (int i = 0; i < 100 && !(drivers.out().contains("keel.network.bridge")
                && drivers.out().contains("keel.network.cni")); i++) {
            Thread.sleep(100); // the daemon serves before every driver bundle has started
            drivers = keel.keel("drivers");
        }
        assertTrue(drivers.out().lines().anyMatch(l -> l.matches("network\\s+cni\\s+standby\\s+-10\\s+keel.network.cni.*")),
                drivers.toString());
        assertEquals(0, keel.keel("swap", "network", "cni").code());
        assertTrue(keel.keel("drivers").out().lines().anyMatch(l -> l.matches("network\\s+cni\\s+bound.*")));

        Keel.Result created = keel.keel("network", "create", network);
        assertEquals(0, created.code(), created.toString());
        Keel.Result ls = keel.keel("network", "ls");
        String line = ls.out().lines().filter(l -> l.contains(network)).findFirst().orElseThrow();
        assertTrue(line.matches(".*" + network + "\\s+cni\\s+10\\.89\\.\\d+\\.0/24\\s+10\\.89\\.\\d+\\.1"), ls.toString());
        assertTrue(Files.exists(keel.root.resolve("network.cni/networks/" + network + ".conflist")));

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Keel.Result web = keel.keel("run", "-d", "--name", "kcniweb", "-p", "127.0.0.1:" + port + ":80", "--network",
                network, "--rootfs", rootfs.toString(), "/usr/bin/nc", "-ll", "-p", "80", "-e", "/bin/echo", "served-over-cni");
        assertEquals(0, web.code(), web.toString());
        String id = web.out().strip();
        assertEquals("served-over-cni", fetch(port), "the published port from the host");

        String gateway = line.trim().split("\\s+")[4];
        Keel.Result neighbour = keel.keel("run", "--rm", "--network", network, "--rootfs", rootfs.toString(), "/bin/sh",
                "-c", "ip -4 -o addr show eth0; ping -c1 -W2 " + gateway + " >/dev/null && echo gateway-answers");
        assertEquals(0, neighbour.code(), neighbour.toString());
        assertTrue(neighbour.out().contains("gateway-answers"), neighbour.toString());

        long daemon = keel.daemonPid();
        assertEquals(0, keel.keel("daemon", "stop").code()); // the container runs on under its supervisor
        ProcessHandle.of(daemon).ifPresent(p -> p.onExit().join());
        assertEquals("served-over-cni", fetch(port), "still served while no daemon runs");
        Keel.Result rm = keel.keel("rm", "-f", "kcniweb"); // a new daemon: DEL from the kernel's record
        assertEquals(0, rm.code(), rm.toString());
        assertEquals(List.of(), lines("iptables-save").stream().filter(l -> l.contains(id) || l.contains("dport " + port))
                .toList(), "no rule of the container is left");
        try (var leases = Files.list(keel.root.resolve("network.cni/ipam/" + network))) {
            assertEquals(List.of(), leases.map(p -> p.getFileName().toString())
                    .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).toList(), "no address is leased");
        }
        String bridge = keel.keel("network", "inspect", network).out();
        assertEquals(0, keel.keel("network", "rm", network).code());
        assertFalse(Files.exists(keel.root.resolve("network.cni/networks/" + network + ".conflist")));
        assertTrue(lines("ip", "-o", "link", "show").stream().noneMatch(l -> l.contains(": kcni-")
                && bridge.contains(l.split(": ")[1].split("[:@]")[0])), "the network's bridge is gone");
    }

    private static String fetch(int port) throws InterruptedException {
        String last = "";
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                socket.setSoTimeout(2000);
                String read = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                if (read != null) {
                    return read;
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(100); // the server in the container may not listen yet
        }
        return "failed: " + last;
    }

    /** "table chain" of every CNI chain of iptables' nat and filter tables. */
    private static List<String> cniChains() throws Exception {
        List<String> chains = new ArrayList<>();
        for (String table : List.of("nat", "filter")) {
            lines("iptables-save", "-t", table).stream().filter(l -> l.startsWith(":CNI-"))
                    .forEach(l -> chains.add(table + " " + l.substring(1).split(" ")[0]));
        }
        return chains;
    }

    private static List<String> lines(String... command) throws Exception {
        return Keel.exec(List.of(command)).out().lines().toList();
    }
}
