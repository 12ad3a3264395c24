package keel.kernel.containers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkEndpoint;
import keel.api.network.NetworkRecord;
import keel.api.network.PortMapping;
import keel.api.driver.DriverKind;
import keel.kernel.drivers.Drivers;

/**
 * A container's network attachments: its first network as {@code eth0} and the networks it was
 * connected to as {@code eth1}..., made in the launch hook and undone at its end, and name
 * resolution on user-defined networks: after any change, the /etc/hosts of every container on
 * the networks concerned is rewritten (one lock, so rewrites never interleave). The default
 * network resolves no names, as Docker's.
 */
final class ContainerNetworks {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerNetworks.class);

    private final Drivers drivers;
    private final Networks networks;
    private final ContainerStore store;
    private final Object hostsLock = new Object();

    ContainerNetworks(Drivers drivers, Networks networks, ContainerStore store) {
        this.drivers = drivers;
        this.networks = networks;
        this.store = store;
    }

    /** Whether a network mode gets an attachment (not none, host or container:CT). */
    static boolean isBridged(String network) {
        return !network.equals("none") && !network.equals("host") && !network.startsWith("container:");
    }

    /**
     * Attaches a starting container's namespace (its process {@code pid}) to its networks and writes its
     * /etc/hosts and its peers'; returns the record with its attachments. Undoes what it made on failure.
     */
    ContainerRecord attachAll(ContainerRecord r, int pid) {
        String netns = "/proc/" + pid + "/ns/net";
        Attachment primary = null;
        List<ContainerRecord.Connection> connections = new ArrayList<>();
        try {
            if (isBridged(r.config().network())) {
                int index = 0;
                if (!r.leftCreationNetwork()) {
                    primary = attach(r, r.config().network(), netns, "eth" + index++, r.config().ports(),
                            r.config().networkAliases());
                }
                for (ContainerRecord.Connection c : r.connections()) {
                    connections.add(c.with(attach(r, c.network(), netns, "eth" + index++, List.of(), c.aliases())));
                }
            }
            ContainerRecord attached = r.with(primary).withConnections(connections);
            refreshHosts(attached, r);
            return attached;
        } catch (RuntimeException e) {
            detach(primary, null);
            connections.forEach(c -> detach(c.attachment(), null));
            throw e;
        }
    }

    private Attachment attach(ContainerRecord r, String network, String netns, String ifName, List<PortMapping> ports,
            List<String> aliases) {
        NetworkRecord record = networks.get(network, drivers.network());
        return drivers.network().attach(record, new AttachRequest(r.id(), r.name(), netns, ifName, ports, aliases));
    }

    /** Detaches every attachment of a container that ended; returns the record without them. */
    ContainerRecord detachAll(ContainerRecord r) {
        String madeBy = ContainerManager.madeBy(r, DriverKind.NETWORK);
        detach(r.network(), madeBy);
        r.connections().forEach(c -> detach(c.attachment(), madeBy));
        return r.with((Attachment) null).withConnections(r.connections().stream().map(c -> c.with(null)).toList());
    }

    /** Detaches through the network driver with id {@code madeBy} (null: the bound one). */
    void detach(Attachment attachment, String madeBy) {
        if (attachment != null) {
            try {
                drivers.network(madeBy).detach(attachment);
            } catch (RuntimeException e) {
                LOG.warn("cannot detach {} from its network: {}", attachment.containerId(), e.getMessage());
            }
        }
    }

    /**
     * {@code keel network connect}: records the connection, and attaches it now if the container runs.
     * Connecting a container again to the network it was created on (after a disconnect) restores that
     * first attachment, with its published ports and aliases.
     */
    ContainerRecord connect(ContainerRecord r, NetworkRecord network, List<String> aliases) {
        checkConnectable(r, network);
        aliases.forEach(Names::check);
        if (isCreationNetwork(r, network)) {
            if (!aliases.isEmpty()) {
                throw KeelException.invalid("container %s was created on network %s: its names there are those "
                        + "given by --network-alias at create, so --alias does not apply", r.name(), network.name());
            }
            Attachment again = isRunning(r) ? attach(r, network.name(), "/proc/" + r.process().pid() + "/ns/net",
                    freeInterface(r), r.config().ports(), r.config().networkAliases()) : null;
            return r.with(again).withLeftCreationNetwork(false);
        }
        ContainerRecord.Connection connection = new ContainerRecord.Connection(network.name(), aliases, null);
        if (isRunning(r)) {
            connection = connection.with(attach(r, network.name(), "/proc/" + r.process().pid() + "/ns/net",
                    freeInterface(r), List.of(), aliases));
        }
        List<ContainerRecord.Connection> connections = new ArrayList<>(r.connections());
        connections.add(connection);
        return r.withConnections(connections);
    }

    /**
     * {@code keel network disconnect}: detaches a container from a network, the one it was created on
     * (it keeps only its loopback there, as Docker's) or one it was connected to (forgotten).
     */
    ContainerRecord disconnect(ContainerRecord r, NetworkRecord network) {
        String madeBy = ContainerManager.madeBy(r, DriverKind.NETWORK);
        if (isCreationNetwork(r, network) && !r.leftCreationNetwork()) {
            detach(r.network(), madeBy);
            return r.with((Attachment) null).withLeftCreationNetwork(true);
        }
        ContainerRecord.Connection connection = r.connections().stream()
                .filter(c -> c.network().equals(network.name())).findFirst()
                .orElseThrow(() -> KeelException.notFound("container %s is not connected to network %s", r.name(),
                        network.name()));
        detach(connection.attachment(), madeBy);
        return r.withConnections(r.connections().stream().filter(c -> c != connection).toList());
    }

    private static boolean isCreationNetwork(ContainerRecord r, NetworkRecord network) {
        return network.name().equals(r.config().network());
    }

    private static void checkConnectable(ContainerRecord r, NetworkRecord network) {
        if (!isBridged(r.config().network())) {
            throw KeelException.conflict("container %s uses network mode %s: it cannot be connected to other "
                    + "networks", r.name(), r.config().network());
        }
        if ((isCreationNetwork(r, network) && !r.leftCreationNetwork())
                || r.connections().stream().anyMatch(c -> c.network().equals(network.name()))) {
            throw KeelException.conflict("container %s is already connected to network %s", r.name(), network.name());
        }
    }

    /** The lowest {@code ethN} the running container does not use. */
    private static String freeInterface(ContainerRecord r) {
        Set<String> used = new HashSet<>();
        if (r.network() != null) {
            used.add(r.network().ifName());
        }
        r.connections().stream().filter(c -> c.attachment() != null).forEach(c -> used.add(c.attachment().ifName()));
        int n = 0;
        while (used.contains("eth" + n)) {
            n++;
        }
        return "eth" + n;
    }

    private static boolean isRunning(ContainerRecord r) {
        return r.isLive() && r.process() != null;
    }

    /** A container's endpoint on {@code network}, if it was created on it (and stayed) or connected to it. */
    static Optional<NetworkEndpoint> endpoint(ContainerRecord r, NetworkRecord network) {
        if (isCreationNetwork(r, network) && !r.leftCreationNetwork()) {
            return java.util.Optional.of(endpoint(r, r.network(), r.config().networkAliases()));
        }
        return r.connections().stream().filter(c -> c.network().equals(network.name())).findFirst()
                .map(c -> endpoint(r, c.attachment(), c.aliases()));
    }

    private static NetworkEndpoint endpoint(ContainerRecord r, Attachment a, List<String> aliases) {
        return a == null ? new NetworkEndpoint(r.id(), r.name(), null, List.of(), null, aliases)
                : new NetworkEndpoint(r.id(), r.name(), a.ifName(), a.addresses(), a.mac(), aliases);
    }

    /** Every attachment of a container, first network first. */
    static List<Attachment> attachments(ContainerRecord r) {
        List<Attachment> all = new ArrayList<>();
        if (r.network() != null) {
            all.add(r.network());
        }
        r.connections().stream().filter(c -> c.attachment() != null).forEach(c -> all.add(c.attachment()));
        return all;
    }

    /** The ports a container publishes, as attached (host ports chosen). */
    static List<PortMapping> ports(ContainerRecord r) {
        return attachments(r).stream().flatMap(a -> a.ports().stream()).toList();
    }

    /** {@code -P}: every port the image exposes ({@code 80/tcp}) not published yet, on a host port chosen later. */
    static List<PortMapping> publishAll(List<PortMapping> asked, Set<String> exposed) {
        List<PortMapping> ports = new ArrayList<>(asked);
        for (String port : exposed.stream().sorted().toList()) {
            String[] parts = port.split("/", 2);
            String protocol = parts.length == 2 ? parts[1] : "tcp";
            int number;
            try {
                number = Integer.parseInt(parts[0]);
            } catch (NumberFormatException e) {
                throw KeelException.invalid("the image exposes '%s', which -P cannot publish (expected PORT/tcp or "
                        + "PORT/udp)", port);
            }
            if (asked.stream().noneMatch(p -> p.containerPort() == number && p.protocol().equals(protocol))) {
                ports.add(new PortMapping(null, 0, number, protocol));
            }
        }
        return ports;
    }

    /**
     * Rewrites the /etc/hosts of {@code changed} (if it has attachments) and of every running container
     * on a user-defined network that {@code changed} or {@code previous} (the same container before the
     * change) is on. {@code changed} may not be stored yet (a container being started): it counts as given.
     */
    void refreshHosts(ContainerRecord changed, ContainerRecord previous) {
        Set<String> resolving = new HashSet<>();
        for (NetworkRecord n : networks.list()) {
            if (!n.name().equals(Networks.DEFAULT)) {
                resolving.add(n.id());
            }
        }
        synchronized (hostsLock) {
            List<ContainerRecord> live = new ArrayList<>();
            for (ContainerRecord r : store.all()) {
                if (!r.id().equals(changed.id()) && isRunning(r)) {
                    live.add(r);
                }
            }
            if (!attachments(changed).isEmpty()) {
                live.add(changed);
            }
            Set<String> concerned = new HashSet<>();
            for (ContainerRecord r : List.of(changed, previous)) {
                attachments(r).stream().map(Attachment::network).filter(resolving::contains).forEach(concerned::add);
            }
            List<HostsFiles.Member> members = live.stream().map(ContainerNetworks::member).toList();
            for (int i = 0; i < live.size(); i++) {
                ContainerRecord r = live.get(i);
                HostsFiles.Member m = members.get(i);
                if (r == changed || concerned.stream().anyMatch(m::on)) {
                    HostsFiles.write(store.dir(r.id()).resolve("hosts"), HostsFiles.content(m, members, resolving));
                }
            }
        }
    }

    private static HostsFiles.Member member(ContainerRecord r) {
        List<HostsFiles.Endpoint> endpoints = new ArrayList<>();
        if (r.network() != null) {
            endpoints.add(endpoint(r.network(), r.name(), r.config().networkAliases()));
        }
        for (ContainerRecord.Connection c : r.connections()) {
            if (c.attachment() != null) {
                endpoints.add(endpoint(c.attachment(), r.name(), c.aliases()));
            }
        }
        return new HostsFiles.Member(r.id(), r.spec().hostname(), endpoints);
    }

    private static HostsFiles.Endpoint endpoint(Attachment a, String name, List<String> aliases) {
        List<String> names = new ArrayList<>(List.of(name));
        names.addAll(aliases);
        String ip = a.addresses().isEmpty() ? "" : a.addresses().get(0).split("/")[0];
        return new HostsFiles.Endpoint(a.network(), ip, ip.isEmpty() ? List.of() : names);
    }
}
