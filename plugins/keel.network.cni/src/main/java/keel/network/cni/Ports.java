package keel.network.cni;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;
import keel.api.network.PortMapping;

/**
 * Published ports for the portmap plugin: checked, host port 0 replaced by a free one, a host port
 * some process of the host listens on refused (a DNAT rule would silently take its traffic), and
 * written as runtimeConfig {@code portMappings} (the plugin's capability).
 */
final class Ports {
    private Ports() {
    }

    /** The mappings as they will be published: protocol lower case, every host port chosen. */
    static List<PortMapping> settle(List<PortMapping> requested) {
        List<PortMapping> settled = new ArrayList<>();
        for (PortMapping p : requested) {
            String protocol = p.protocol() == null ? "tcp" : p.protocol().toLowerCase(Locale.ROOT);
            if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
                throw KeelException.invalid("cannot publish %s ports: only tcp, udp and sctp", p.protocol());
            }
            if (p.hostPort() < 0 || p.hostPort() > 65535 || p.containerPort() < 1 || p.containerPort() > 65535) {
                throw KeelException.invalid("port mapping %d:%d/%s: ports are 1 to 65535 (host port 0 chooses one)",
                        p.hostPort(), p.containerPort(), protocol);
            }
            String hostIp = p.hostIp() == null || p.hostIp().isEmpty() ? null : p.hostIp();
            InetAddress bind = address(hostIp);
            int hostPort = p.hostPort() == 0 ? free(bind, protocol) : p.hostPort();
            if (p.hostPort() != 0 && !protocol.equals("sctp") && !available(bind, hostPort, protocol)) {
                throw KeelException.conflict("port %s:%d/%s is already in use on the host: publish another port",
                        hostIp == null ? "0.0.0.0" : hostIp, hostPort, protocol);
            }
            settled.add(new PortMapping(hostIp, hostPort, p.containerPort(), protocol));
        }
        return settled;
    }

    /** runtimeConfig for the plugins: {@code {"portMappings": [{hostPort, containerPort, protocol, hostIP}]}}. */
    static ObjectNode runtimeConfig(List<PortMapping> ports) {
        ObjectNode config = Json.MAPPER.createObjectNode();
        ArrayNode mappings = config.putArray("portMappings");
        for (PortMapping p : ports) {
            ObjectNode m = mappings.addObject();
            m.put("hostPort", p.hostPort());
            m.put("containerPort", p.containerPort());
            m.put("protocol", p.protocol() == null ? "tcp" : p.protocol());
            if (p.hostIp() != null) {
                m.put("hostIP", p.hostIp());
            }
        }
        return config;
    }

    private static InetAddress address(String hostIp) {
        try {
            if (hostIp == null) {
                return InetAddress.getByName("0.0.0.0");
            }
            if (!hostIp.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw KeelException.invalid("cannot publish on '%s': not an IP address", hostIp);
            }
            return InetAddress.getByName(hostIp);
        } catch (IOException e) {
            throw KeelException.invalid("cannot publish on '%s': not an IP address", hostIp);
        }
    }

    private static boolean available(InetAddress address, int port, String protocol) {
        try {
            if (protocol.equals("udp")) {
                new DatagramSocket(new InetSocketAddress(address, port)).close();
            } else {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress(address, port));
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int free(InetAddress address, String protocol) {
        try {
            if (protocol.equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0))) {
                    return socket.getLocalPort();
                }
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(address, 0));
                return socket.getLocalPort();
            }
        } catch (IOException e) {
            throw KeelException.unavailable("no free host port on %s: %s", address.getHostAddress(), e.getMessage());
        }
    }
}
