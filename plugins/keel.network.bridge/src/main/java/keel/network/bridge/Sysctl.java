package keel.network.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** The few /proc/sys/net/ipv4 settings a bridge network needs. */
final class Sysctl {
    private static final Path IPV4 = Path.of("/proc/sys/net/ipv4");

    private Sysctl() {
    }

    /** Routing between interfaces, host-wide (Docker turns it on too and leaves it on). */
    static void enableForwarding() {
        write(IPV4.resolve("ip_forward"), "1");
    }

    static String forwarding() {
        return read(IPV4.resolve("ip_forward"));
    }

    /**
     * Lets 127.0.0.0/8 be routed on {@code iface}: the host reaching a published port at
     * 127.0.0.1 sends from 127.0.0.1 to a container behind it until masquerade rewrites it.
     */
    static void enableRouteLocalnet(String iface) {
        Names.checkInterfaceName(iface, "interface");
        write(IPV4.resolve("conf").resolve(iface).resolve("route_localnet"), "1");
    }

    static String routeLocalnet(String iface) {
        Names.checkInterfaceName(iface, "interface");
        return read(IPV4.resolve("conf").resolve(iface).resolve("route_localnet"));
    }

    private static void write(Path path, String value) {
        try {
            Files.writeString(path, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot set " + path + " to " + value + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
