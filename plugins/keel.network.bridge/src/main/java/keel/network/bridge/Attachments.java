package keel.network.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import keel.api.KeelException;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkRecord;
import keel.api.network.PortMapping;
import keel.network.bridge.ipam.Ipam;
import keel.network.bridge.ipam.Ipv4;
import keel.network.bridge.ipam.Lease;
import keel.network.bridge.ipam.Pool;
import keel.network.bridge.ipam.PortReservations;
import keel.network.bridge.netlink.Addresses;
import keel.network.bridge.netlink.LinkInfo;
import keel.network.bridge.netlink.Links;
import keel.network.bridge.netlink.NetlinkSocket;
import keel.network.bridge.netlink.Netns;
import keel.network.bridge.netlink.RouteInfo;
import keel.network.bridge.netlink.Routes;
import keel.network.bridge.nft.Firewall;
import keel.network.bridge.nft.Ruleset;

/**
 * CNI's ADD, DEL and CHECK for a bridge network. ADD reserves first (address, then host ports,
 * each checked before anything is made), then creates the veth pair, moves its peer into the
 * container's namespace as {@code ifName}, configures it there and publishes the ports; a failure
 * at any step undoes every step before it. DEL undoes everything by name, so it works from the
 * record alone, on any driver instance, and twice.
 */
final class Attachments {
    /** driverData keys of an {@link Attachment}. */
    static final String DATA_BRIDGE = "bridge";
    static final String DATA_NETWORK_NAME = "network.name";
    static final String DATA_TABLE = "nft.table";
    static final String DATA_RULES = "nft.comment";
    /** "true" when the attachment's interface carries the namespace's default route (its first network). */
    static final String DATA_DEFAULT_ROUTE = "default.route";

    private final BridgeSettings settings;
    private final Ipam ipam;
    private final PortReservations ports;
    private final Firewall firewall;

    Attachments(BridgeSettings settings, Ipam ipam, PortReservations ports, Firewall firewall) {
        this.settings = settings;
        this.ipam = ipam;
        this.ports = ports;
        this.firewall = firewall;
    }

    Attachment attach(NetworkRecord network, AttachRequest request) {
        Names.checkContainerId(request.containerId());
        Names.checkInterfaceName(request.ifName(), "the container's interface");
        checkNetns(request.netns());
        List<PortReservations.Request> wanted = request.ports().stream().map(Attachments::portRequest).toList();
        Pool pool = ipam.require(network.id());
        String bridge = pool.bridge();
        String host = Names.hostVeth(settings.vethPrefix(), request.containerId(), network.id());
        String peer = Names.peerVeth(settings.vethPrefix(), request.containerId(), network.id());
        int mtu = mtu(network);

        Lease lease = ipam.allocate(network.id(), host, request.containerId()); // conflict if already attached
        try {
            List<Integer> hostPorts = ports.reserve(wanted, host, request.containerId());
            List<PortMapping> published = new ArrayList<>();
            List<Ruleset.Dnat> dnats = new ArrayList<>();
            for (int i = 0; i < wanted.size(); i++) {
                PortMapping asked = request.ports().get(i);
                PortReservations.Request w = wanted.get(i);
                published.add(new PortMapping(asked.hostIp(), hostPorts.get(i), asked.containerPort(), w.protocol()));
                dnats.add(new Ruleset.Dnat(w.protocol(), w.hostIp().bits() == 0 ? null : w.hostIp().toString(),
                        hostPorts.get(i), lease.address().toString(), asked.containerPort()));
            }
            byte[] mac = mac(lease.address());
            createVeth(request, bridge, host, peer, mtu, mac);
            int prefix = pool.subnet().prefixLength();
            boolean defaultRoute = Netns.run(request.netns(), "configure " + request.ifName() + " of container "
                    + request.containerId(),
                    socket -> configureInside(socket, request.ifName(), lease.address(), prefix, pool.gateway()));
            firewall.addAttachment(host, dnats, bridge, pool.subnet().toString());
            return new Attachment(request.containerId(), network.id(), request.netns(), request.ifName(), host,
                    List.of(lease.address() + "/" + prefix), pool.gateway().toString(),
                    HexFormat.ofDelimiter(":").formatHex(mac), published,
                    Map.of(DATA_BRIDGE, bridge, DATA_NETWORK_NAME, pool.name(), DATA_TABLE, firewall.table(),
                            DATA_RULES, Ruleset.attachmentComment(host), DATA_DEFAULT_ROUTE,
                            Boolean.toString(defaultRoute)));
        } catch (RuntimeException e) {
            Networks.undo(() -> firewall.removeAttachment(host), e);
            Networks.undo(() -> deleteLink(host), e);
            Networks.undo(() -> ports.release(host), e);
            Networks.undo(() -> ipam.release(network.id(), host), e);
            throw e;
        }
    }

    private static void createVeth(AttachRequest request, String bridge, String host, String peer, int mtu, byte[] mac) {
        try (NetlinkSocket socket = NetlinkSocket.open(); Netns.Handle netns = Netns.open(request.netns())) {
            Links links = new Links(socket);
            LinkInfo br = links.find(bridge).orElseThrow(() -> KeelException.notFound(
                    "bridge %s of the network is gone: delete and recreate the network", bridge));
            // We hold the lease of this name, so links by these names are leftovers of an interrupted attach.
            links.deleteIf(host, "veth");
            links.deleteIf(peer, "veth");
            links.createVeth(host, peer, mtu, mac);
            LinkInfo hostLink = links.require(host);
            links.setMaster(hostLink.index(), host, br.index(), bridge);
            links.setHairpin(hostLink.index(), host, true);
            links.moveToNetns(links.require(peer).index(), peer, netns.fd(), request.ifName());
            links.setUp(hostLink.index(), host);
        }
    }

    /**
     * In the container's namespace: address, up, lo up, and the default route via the gateway unless
     * the namespace has one (from the network it joined first, as Docker does); true if it was added.
     */
    private static boolean configureInside(NetlinkSocket socket, String ifName, Ipv4 address, int prefix,
            Ipv4 gateway) {
        Links links = new Links(socket);
        LinkInfo eth = links.require(ifName);
        new Addresses(socket).add(eth.index(), ifName, address, prefix);
        links.setUp(eth.index(), ifName);
        links.setUp(links.require("lo").index(), "lo");
        Routes routes = new Routes(socket);
        if (routes.main().stream().anyMatch(RouteInfo::isDefault)) {
            return false;
        }
        routes.addDefault(gateway, eth.index(), ifName);
        return true;
    }

    /** DEL: rules, veth (its peer goes with it), ports, address; each step is a no-op when already done. */
    void detach(Attachment attachment) {
        String host = attachment.hostIfName();
        Names.checkInterfaceName(host, "the attachment's host interface");
        firewall.removeAttachment(host);
        deleteLink(host);
        ports.release(host);
        ipam.release(checkNetworkId(attachment.network()), host);
    }

    /** CHECK: lease, host veth on the bridge, the interface, address and default route inside, the DNAT rules. */
    void check(Attachment attachment) {
        String host = attachment.hostIfName();
        Names.checkInterfaceName(host, "the attachment's host interface");
        Names.checkInterfaceName(attachment.ifName(), "the container's interface");
        List<String> problems = new ArrayList<>();
        Pool pool = ipam.require(checkNetworkId(attachment.network()));
        String cidr = attachment.addresses().isEmpty() ? "" : attachment.addresses().get(0);
        Ipv4 address = Ipv4.parse(cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr);
        Optional<Lease> lease = pool.leaseOf(host);
        if (lease.isEmpty() || !lease.get().address().equals(address)) {
            problems.add("address " + address + " is not leased to it (lease: "
                    + lease.map(l -> l.address().toString()).orElse("none") + ")");
        }
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            Links links = new Links(socket);
            Optional<LinkInfo> veth = links.find(host);
            Optional<LinkInfo> bridge = links.find(pool.bridge());
            if (veth.isEmpty()) {
                problems.add("host interface " + host + " is missing");
            } else if (bridge.isEmpty() || veth.get().master() != bridge.get().index()) {
                problems.add("host interface " + host + " is not on bridge " + pool.bridge());
            } else if (!veth.get().up()) {
                problems.add("host interface " + host + " is down");
            }
        }
        if (!Files.exists(Path.of(attachment.netns()))) {
            problems.add("network namespace " + attachment.netns() + " is gone");
        } else {
            problems.addAll(Netns.run(attachment.netns(), "check " + attachment.ifName(),
                    socket -> checkInside(socket, attachment.ifName(), address, pool,
                            !"false".equals(attachment.driverData().get(DATA_DEFAULT_ROUTE)))));
        }
        int rules = firewall.find(Ruleset.attachmentComment(host)).size();
        int expected = Ruleset.attachmentRuleCount(attachment.ports().size());
        if (rules != expected) {
            problems.add(rules + " of its " + expected + " nftables rules ('" + Ruleset.attachmentComment(host)
                    + "' in table " + firewall.table() + ") are there");
        }
        if (!problems.isEmpty()) {
            throw KeelException.notFound("the attachment of container %s to network %s is broken: %s; detach and attach "
                    + "it again", attachment.containerId(), pool.name(), String.join("; ", problems));
        }
    }

    private static List<String> checkInside(NetlinkSocket socket, String ifName, Ipv4 address, Pool pool,
            boolean defaultRoute) {
        List<String> problems = new ArrayList<>();
        Optional<LinkInfo> eth = new Links(socket).find(ifName);
        if (eth.isEmpty()) {
            problems.add(ifName + " is missing in the container");
            return problems;
        }
        if (!eth.get().up()) {
            problems.add(ifName + " is down");
        }
        int index = eth.get().index();
        if (new Addresses(socket).of(index).stream().noneMatch(a -> a.address().equals(address)
                && a.prefixLength() == pool.subnet().prefixLength())) {
            problems.add(ifName + " lacks address " + address + "/" + pool.subnet().prefixLength());
        }
        if (defaultRoute && new Routes(socket).main().stream().noneMatch(r -> r.isDefault() && pool.gateway().equals(r.gateway())
                && r.oif() == index)) {
            problems.add("the default route via " + pool.gateway() + " on " + ifName + " is missing");
        }
        return problems;
    }

    /** Takes over an attachment made by another instance: it must be intact; its lease and ports are recorded here. */
    Attachment adopt(Attachment attachment) {
        String networkId = checkNetworkId(attachment.network());
        String host = attachment.hostIfName();
        Names.checkInterfaceName(host, "the attachment's host interface");
        Names.checkContainerId(attachment.containerId());
        String cidr = attachment.addresses().isEmpty() ? "" : attachment.addresses().get(0);
        Ipv4 address = Ipv4.parse(cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr);
        ipam.update(networkId, pool -> {
            if (pool.leaseOf(host).isEmpty()) {
                pool.claim(new Lease(address, host, attachment.containerId()));
            }
            return null;
        });
        boolean recorded = ports.all().stream().anyMatch(r -> r.hostIfName().equals(host));
        if (!recorded && !attachment.ports().isEmpty()) {
            ports.restore(attachment.ports().stream().map(Attachments::portRequest).toList(), host,
                    attachment.containerId());
        }
        check(attachment);
        return attachment;
    }

    /** Deletes the host side of a veth pair (the peer goes with it), and nothing that is not a veth. */
    private static void deleteLink(String name) {
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            new Links(socket).deleteIf(name, "veth");
        }
    }

    private int mtu(NetworkRecord network) {
        String mtu = network.driverData().get(Networks.DATA_MTU);
        if (mtu != null && mtu.matches("[0-9]{2,5}")) {
            return Integer.parseInt(mtu);
        }
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            return HostView.read(socket).uplinkMtu();
        }
    }

    private static void checkNetns(String netns) {
        if (netns == null || !netns.startsWith("/") || netns.contains("\0")) {
            throw KeelException.invalid("network namespace '%s' must be an absolute path, e.g. /proc/PID/ns/net", netns);
        }
        if (!Files.exists(Path.of(netns))) {
            throw KeelException.notFound("network namespace %s does not exist (has the container exited?)", netns);
        }
        if (Netns.isOwn(netns)) {
            throw KeelException.invalid("network namespace %s is the daemon's own: a container that shares the host's "
                    + "network needs no driver (network mode host)", netns);
        }
    }

    private static String checkNetworkId(String id) {
        if (id == null || !id.matches("[0-9a-f]{1,64}")) {
            throw KeelException.invalid("'%s' is not a network id of the bridge driver", id);
        }
        return id;
    }

    static PortReservations.Request portRequest(PortMapping p) {
        String protocol = p.protocol() == null ? "tcp" : p.protocol().toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw KeelException.invalid("cannot publish %s ports: only tcp and udp", p.protocol());
        }
        if (p.hostPort() < 0 || p.hostPort() > 65535 || p.containerPort() < 1 || p.containerPort() > 65535) {
            throw KeelException.invalid("port mapping %d:%d/%s: ports are 1 to 65535 (host port 0 chooses one)",
                    p.hostPort(), p.containerPort(), protocol);
        }
        String ip = p.hostIp() == null || p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp();
        if (ip.contains(":")) {
            throw KeelException.invalid("cannot publish on %s: the bridge driver publishes IPv4 only", ip);
        }
        return new PortReservations.Request(protocol, Ipv4.parse(ip), p.hostPort());
    }

    /** Docker's MAC for an address: 02:42 and the address's four bytes. */
    static byte[] mac(Ipv4 address) {
        byte[] ip = address.bytes();
        return new byte[] {0x02, 0x42, ip[0], ip[1], ip[2], ip[3]};
    }
}
