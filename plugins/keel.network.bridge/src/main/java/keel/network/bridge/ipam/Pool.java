package keel.network.bridge.ipam;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * One network's addresses: its subnet and gateway and the leases handed out, as a small line-based
 * text file (one {@code key value...} per line) so that no library is needed to read it and an
 * operator can. Allocation goes round the subnet from the last address handed out (as Docker's
 * IPAM does), so a released address is not reused at once while peers may still cache its MAC.
 */
public final class Pool {
    private static final String HEADER = "# keel.network.bridge: the addresses of one network; written atomically by the driver";

    private final String id;
    private final String name;
    private final String bridge;
    private final Subnet subnet;
    private final Ipv4 gateway;
    private Ipv4 last;
    private final TreeMap<Ipv4, Lease> leases = new TreeMap<>();

    public Pool(String id, String name, String bridge, Subnet subnet, Ipv4 gateway) {
        this.id = id;
        this.name = name;
        this.bridge = bridge;
        this.subnet = subnet;
        this.gateway = gateway;
        this.last = gateway;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String bridge() {
        return bridge;
    }

    public Subnet subnet() {
        return subnet;
    }

    public Ipv4 gateway() {
        return gateway;
    }

    public List<Lease> leases() {
        return Collections.unmodifiableList(new ArrayList<>(leases.values()));
    }

    public Optional<Lease> leaseOf(String hostIfName) {
        return leases.values().stream().filter(l -> l.hostIfName().equals(hostIfName)).findFirst();
    }

    /** Hands the next free address to {@code hostIfName}; unavailable when the subnet is full. */
    public Lease allocate(String hostIfName, String containerId) {
        leaseOf(hostIfName).ifPresent(l -> {
            throw KeelException.conflict("container %s is already attached to network %s (interface %s, address %s): "
                    + "detach it first", l.containerId(), name, hostIfName, l.address());
        });
        long size = subnet.size();
        for (long step = 1; step <= size; step++) {
            Ipv4 candidate = subnet.address().plus((int) (((last.bits() - subnet.address().bits()) + step) % size));
            if (usable(candidate) && !leases.containsKey(candidate)) {
                Lease lease = new Lease(candidate, hostIfName, containerId);
                leases.put(candidate, lease);
                last = candidate;
                return lease;
            }
        }
        throw KeelException.unavailable("network %s has no free address left in %s (%d leases): detach a container "
                + "or create a network with a larger subnet", name, subnet, leases.size());
    }

    /** Records a lease made elsewhere (adopt); conflict if its address is another attachment's. */
    public void claim(Lease lease) {
        Lease held = leases.get(lease.address());
        if (held != null && !held.hostIfName().equals(lease.hostIfName())) {
            throw KeelException.conflict("address %s on network %s is leased to container %s (interface %s), not to %s",
                    lease.address(), name, held.containerId(), held.hostIfName(), lease.containerId());
        }
        if (!subnet.contains(lease.address()) || !usable(lease.address())) {
            throw KeelException.invalid("address %s is not a host address of network %s (%s)", lease.address(), name,
                    subnet);
        }
        leases.put(lease.address(), lease);
    }

    /** Releases the lease of {@code hostIfName}; false when it had none. */
    public boolean release(String hostIfName) {
        return leases.values().removeIf(l -> l.hostIfName().equals(hostIfName));
    }

    private boolean usable(Ipv4 ip) {
        return !ip.equals(subnet.address()) && !ip.equals(subnet.broadcast()) && !ip.equals(gateway);
    }

    public String render() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        out.append("version 1\n");
        out.append("id ").append(id).append('\n');
        out.append("name ").append(name).append('\n');
        out.append("bridge ").append(bridge).append('\n');
        out.append("subnet ").append(subnet).append('\n');
        out.append("gateway ").append(gateway).append('\n');
        out.append("last ").append(last).append('\n');
        for (Lease lease : leases.values()) {
            out.append("lease ").append(lease.address()).append(' ').append(lease.hostIfName()).append(' ')
                    .append(lease.containerId()).append('\n');
        }
        return out.toString();
    }

    /** Parses {@link #render()}'s text; {@code source} names the file in errors. */
    public static Pool parse(String text, String source) {
        String id = null;
        String name = null;
        String bridge = null;
        Subnet subnet = null;
        Ipv4 gateway = null;
        Ipv4 last = null;
        List<Lease> leases = new ArrayList<>();
        try {
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "version" -> {
                        if (!f[1].equals("1")) {
                            throw new IllegalArgumentException("version " + f[1] + " is newer than this driver");
                        }
                    }
                    case "id" -> id = f[1];
                    case "name" -> name = f[1];
                    case "bridge" -> bridge = f[1];
                    case "subnet" -> subnet = Subnet.parse(f[1]);
                    case "gateway" -> gateway = Ipv4.parse(f[1]);
                    case "last" -> last = Ipv4.parse(f[1]);
                    case "lease" -> leases.add(new Lease(Ipv4.parse(f[1]), f[2], f[3]));
                    default -> throw new IllegalArgumentException("unknown line '" + line + "'");
                }
            }
            if (id == null || name == null || bridge == null || subnet == null || gateway == null) {
                throw new IllegalArgumentException("id, name, bridge, subnet or gateway missing");
            }
        } catch (RuntimeException e) {
            throw new KeelException(ErrorKind.INTERNAL, "the network state file " + source + " is corrupt ("
                    + e.getMessage() + "): restore it or remove the network's leftovers by hand", e);
        }
        Pool pool = new Pool(id, name, bridge, subnet, gateway);
        if (last != null) {
            pool.last = last;
        }
        for (Lease lease : leases) {
            pool.leases.put(lease.address(), lease);
        }
        return pool;
    }
}
