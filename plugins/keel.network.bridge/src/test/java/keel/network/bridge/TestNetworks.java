package keel.network.bridge;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import keel.network.bridge.ipam.Ipv4;
import keel.network.bridge.ipam.Subnet;

/** Facts about the host for the privileged tests: free subnets, free ports, the uplink. */
public final class TestNetworks {
    private TestNetworks() {
    }

    /** Every IPv4 subnet the host uses (routes of all tables but local, and its addresses). */
    public static List<Subnet> hostSubnets() {
        List<Subnet> used = new ArrayList<>();
        for (String line : Sh.ok("ip", "-4", "route", "show", "table", "all").split("\n")) {
            if (line.contains("table local")) {
                continue;
            }
            // the destination is the first word that is an address (after a type such as unreachable)
            for (String word : line.trim().split("\\s+")) {
                if (word.matches("[0-9.]+(/[0-9]+)?")) {
                    String[] cidr = word.split("/");
                    used.add(Subnet.containing(Ipv4.parse(cidr[0]), cidr.length > 1 ? Integer.parseInt(cidr[1]) : 32));
                    break;
                }
                if (word.equals("default")) {
                    break;
                }
            }
        }
        for (String line : Sh.ok("ip", "-4", "-o", "addr", "show").split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("inet")) {
                    String[] cidr = f[i + 1].split("/");
                    used.add(Subnet.containing(Ipv4.parse(cidr[0]), Integer.parseInt(cidr[1])));
                }
            }
        }
        return used;
    }

    /** A random 10.2xx.y.0/24 that overlaps none of the host's subnets nor {@code avoid}. */
    public static String freeSubnet(List<String> avoid) {
        List<Subnet> used = hostSubnets();
        avoid.forEach(a -> used.add(Subnet.parse(a)));
        for (int attempt = 0; attempt < 1000; attempt++) {
            Subnet candidate = Subnet.parse("10." + (200 + ThreadLocalRandom.current().nextInt(50)) + "."
                    + ThreadLocalRandom.current().nextInt(256) + ".0/24");
            if (used.stream().noneMatch(candidate::overlaps)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("no free test subnet in 10.200.0.0/14");
    }

    /** A TCP port nobody listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host's default route interface. */
    public static String uplink() {
        String[] f = Sh.ok("ip", "-4", "route", "show", "default").trim().split("\\s+");
        for (int i = 0; i + 1 < f.length; i++) {
            if (f[i].equals("dev")) {
                return f[i + 1];
            }
        }
        throw new IllegalStateException("no default route");
    }

    public static int uplinkMtu() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", uplink(), "mtu")).strip());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first IPv4 address of the uplink: "the host's own address". */
    public static String uplinkAddress() {
        String[] f = Sh.ok("ip", "-4", "-o", "addr", "show", "dev", uplink()).trim().split("\\s+");
        for (int i = 0; i + 1 < f.length; i++) {
            if (f[i].equals("inet")) {
                return f[i + 1].split("/")[0];
            }
        }
        throw new IllegalStateException("the uplink has no IPv4 address");
    }
}
