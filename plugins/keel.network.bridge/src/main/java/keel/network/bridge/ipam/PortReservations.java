package keel.network.bridge.ipam;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Host ports published by attachments, host-wide in {@code <state>/ports}. With NAT rules only
 * (no proxy holding the socket), nothing in the kernel stops two containers from publishing one
 * port, or a host process from binding it first; so a reservation checks both: the ports already
 * published through this driver, then that the port can be bound now.
 */
public final class PortReservations {
    private static final String FILE = "ports";
    private static final String HEADER = "# keel.network.bridge: published host ports; written atomically by the driver";

    /** One published port: {@code hostIp} 0.0.0.0 is every address. */
    public record Reservation(String protocol, Ipv4 hostIp, int hostPort, String hostIfName, String containerId) {
        public boolean clashes(String otherProtocol, Ipv4 otherIp, int otherPort) {
            return protocol.equals(otherProtocol) && hostPort == otherPort
                    && (hostIp.equals(otherIp) || hostIp.bits() == 0 || otherIp.bits() == 0);
        }
    }

    /** A port to reserve; {@code hostPort} 0 asks for a free ephemeral one. */
    public record Request(String protocol, Ipv4 hostIp, int hostPort) {
    }

    private final StateDir state;

    public PortReservations(StateDir state) {
        this.state = state;
    }

    public List<Reservation> all() {
        return state.locked(() -> parse(state.read(FILE).orElse("")));
    }

    /**
     * Reserves every port of {@code requests} for {@code hostIfName}, or none: a port published by
     * another attachment or bound on the host fails with "port IP:PORT is already in use".
     * Returns the host ports, with those asked as 0 chosen.
     */
    public List<Integer> reserve(List<Request> requests, String hostIfName, String containerId) {
        if (requests.isEmpty()) {
            return List.of();
        }
        return state.locked(() -> {
            List<Reservation> held = parse(state.read(FILE).orElse(""));
            List<Reservation> added = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            for (Request request : requests) {
                int port = request.hostPort();
                if (port != 0) {
                    for (Reservation r : concat(held, added)) {
                        if (r.clashes(request.protocol(), request.hostIp(), port)) {
                            throw KeelException.conflict("port %s:%d is already in use (%s, published by container %s): "
                                    + "publish another host port", request.hostIp(), port, request.protocol(),
                                    r.containerId());
                        }
                    }
                }
                port = probe(request.protocol(), request.hostIp(), port);
                ports.add(port);
                added.add(new Reservation(request.protocol(), request.hostIp(), port, hostIfName, containerId));
            }
            held.addAll(added);
            state.write(FILE, render(held));
            return ports;
        });
    }

    /**
     * Records ports already published by another driver instance (adopt): they clash with no one
     * else's, but are not probed, since traffic to them is NAT and binds nothing.
     */
    public void restore(List<Request> requests, String hostIfName, String containerId) {
        state.locked(() -> {
            List<Reservation> held = parse(state.read(FILE).orElse(""));
            for (Request request : requests) {
                for (Reservation r : held) {
                    if (!r.hostIfName().equals(hostIfName) && r.clashes(request.protocol(), request.hostIp(), request.hostPort())) {
                        throw KeelException.conflict("port %s:%d is already in use (%s, published by container %s)",
                                request.hostIp(), request.hostPort(), request.protocol(), r.containerId());
                    }
                }
                held.add(new Reservation(request.protocol(), request.hostIp(), request.hostPort(), hostIfName, containerId));
            }
            state.write(FILE, render(held));
            return null;
        });
    }

    /** Releases the ports of {@code hostIfName}; returns how many. */
    public int release(String hostIfName) {
        return state.locked(() -> {
            List<Reservation> held = parse(state.read(FILE).orElse(""));
            int before = held.size();
            held.removeIf(r -> r.hostIfName().equals(hostIfName));
            if (held.size() != before) {
                state.write(FILE, render(held));
            }
            return before - held.size();
        });
    }

    /** Binds the port (0: lets the kernel choose one) and lets it go; returns the port. */
    static int probe(String protocol, Ipv4 ip, int port) {
        String where = ip + ":" + port;
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(ip.bytes()), port);
            if (protocol.equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    socket.bind(address);
                    return socket.getLocalPort();
                }
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true); // a port in TIME_WAIT is free for a NAT rule
                socket.bind(address);
                return socket.getLocalPort();
            }
        } catch (BindException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Cannot assign requested address")) {
                throw KeelException.invalid("cannot publish on %s: %s is not an address of this host", where, ip);
            }
            if (message.contains("Permission denied")) {
                throw new KeelException(ErrorKind.PERMISSION_DENIED, "port " + where + " (" + protocol
                        + ") needs privileges the daemon does not have");
            }
            throw KeelException.conflict("port %s is already in use (%s): stop what holds it or publish another host port",
                    where, protocol);
        } catch (IOException e) {
            throw KeelException.internal("cannot check whether port " + where + " is free: " + e.getMessage(), e);
        }
    }

    private static List<Reservation> concat(List<Reservation> a, List<Reservation> b) {
        List<Reservation> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private String render(List<Reservation> reservations) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Reservation r : reservations) {
            out.append("port ").append(r.protocol()).append(' ').append(r.hostIp()).append(' ').append(r.hostPort())
                    .append(' ').append(r.hostIfName()).append(' ').append(r.containerId()).append('\n');
        }
        return out.toString();
    }

    private List<Reservation> parse(String text) {
        List<Reservation> reservations = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                if (f.length != 6 || !f[0].equals("port")) {
                    throw new IllegalArgumentException("unknown line '" + line + "'");
                }
                reservations.add(new Reservation(f[1], Ipv4.parse(f[2]), Integer.parseInt(f[3]), f[4], f[5]));
            } catch (RuntimeException e) {
                throw new KeelException(ErrorKind.INTERNAL, "the port reservations " + state.root().resolve(FILE)
                        + " are corrupt (" + e.getMessage() + "): restore or remove the file", e);
            }
        }
        return reservations;
    }
}
