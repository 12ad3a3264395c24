package keel.network.bridge;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import keel.api.KeelException;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkRecord;
import keel.network.bridge.ipam.Ipam;
import keel.network.bridge.ipam.Ipv4;
import keel.network.bridge.ipam.Pool;
import keel.network.bridge.ipam.StateDir;
import keel.network.bridge.ipam.Subnet;
import keel.network.bridge.ipam.SubnetChooser;
import keel.network.bridge.netlink.Addresses;
import keel.network.bridge.netlink.LinkInfo;
import keel.network.bridge.netlink.Links;
import keel.network.bridge.netlink.NetlinkSocket;
import keel.network.bridge.nft.Firewall;

/**
 * Creating and deleting networks: a bridge with the gateway address, forwarding and
 * route_localnet on, the network's rules in the driver's table, and its {@link Pool}. Both run
 * under the state lock (they are rare, and the last network's delete removes the table unless
 * another Keel's rules are in it).
 */
final class Networks {
    /** The options a network understands; any other is an error. */
    static final String OPTION_BRIDGE = "bridge.name";
    static final String OPTION_MTU = "mtu";
    private static final Set<String> OPTIONS = Set.of(OPTION_BRIDGE, OPTION_MTU);
    static final String DEFAULT_NETWORK = "bridge";
    /** driverData keys of a {@link NetworkRecord}. */
    static final String DATA_BRIDGE = "bridge";
    static final String DATA_MTU = "mtu";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final BridgeSettings settings;
    private final StateDir state;
    private final Ipam ipam;
    private final Firewall firewall;

    Networks(BridgeSettings settings, StateDir state, Ipam ipam, Firewall firewall) {
        this.settings = settings;
        this.state = state;
        this.ipam = ipam;
        this.firewall = firewall;
    }

    NetworkRecord create(NetworkConfig config) {
        Names.checkNetworkName(config.name());
        for (String key : config.options().keySet()) {
            if (!OPTIONS.contains(key)) {
                throw KeelException.invalid("unknown option '%s' for a bridge network: expected one of %s", key,
                        OPTIONS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        int mtuOption = mtuOption(config.options().get(OPTION_MTU));
        return state.locked(() -> {
            List<Pool> pools = ipam.all();
            if (pools.stream().anyMatch(p -> p.name().equals(config.name()))) {
                throw new KeelException(keel.api.ErrorKind.ALREADY_EXISTS, "network " + config.name()
                        + " already exists: choose another name or delete it first");
            }
            String id = HexFormat.of().formatHex(randomBytes(32));
            String bridge = config.options().getOrDefault(OPTION_BRIDGE,
                    config.name().equals(DEFAULT_NETWORK) ? settings.defaultBridge()
                            : Names.userBridge(settings.bridgePrefix(), id));
            Names.checkInterfaceName(bridge, "bridge");
            pools.stream().filter(p -> p.bridge().equals(bridge)).findFirst().ifPresent(p -> {
                throw KeelException.conflict("bridge %s is already used by network %s: choose another %s", bridge,
                        p.name(), OPTION_BRIDGE);
            });
            try (NetlinkSocket socket = NetlinkSocket.open()) {
                return create(socket, config, id, bridge, mtuOption, pools);
            }
        });
    }

    private NetworkRecord create(NetlinkSocket socket, NetworkConfig config, String id, String bridge, int mtuOption,
            List<Pool> pools) {
        Links links = new Links(socket);
        HostView host = HostView.read(socket);
        Optional<LinkInfo> existing = links.find(bridge);
        if (existing.isPresent() && !"bridge".equals(existing.get().kind())) {
            throw KeelException.conflict("interface %s exists and is not a bridge: choose another %s", bridge,
                    OPTION_BRIDGE);
        }
        // A bridge of this name that no network owns is an interrupted create's (or a pre-made one): reuse it.
        List<HostView.Use> inUse = new java.util.ArrayList<>(host.subnetsInUse(existing.map(LinkInfo::index).orElse(-1)));
        for (Pool p : pools) {
            inUse.add(new HostView.Use(p.subnet(), "network " + p.name()));
        }
        Subnet subnet = config.subnet() == null
                ? SubnetChooser.choose(inUse.stream().map(HostView.Use::subnet).toList())
                : requestedSubnet(config.subnet(), inUse);
        Ipv4 gateway = gateway(config.gateway(), subnet);
        int mtu = mtuOption > 0 ? mtuOption : host.uplinkMtu();

        boolean created = existing.isEmpty();
        if (created) {
            links.createBridge(bridge, mtu, randomMac());
        }
        try {
            LinkInfo link = links.require(bridge);
            Addresses addresses = new Addresses(socket);
            if (addresses.of(link.index()).stream().noneMatch(a -> a.address().equals(gateway)
                    && a.prefixLength() == subnet.prefixLength())) {
                addresses.add(link.index(), bridge, gateway, subnet.prefixLength());
            }
            if (link.mtu() != mtu) {
                links.setMtu(link.index(), bridge, mtu);
            }
            links.setUp(link.index(), bridge);
            Sysctl.enableRouteLocalnet(bridge);
            Sysctl.enableForwarding();
            firewall.addNetwork(bridge, subnet.toString());
            ipam.save(new Pool(id, config.name(), bridge, subnet, gateway));
        } catch (RuntimeException e) {
            undo(() -> firewall.removeNetwork(bridge), e);
            if (created) {
                undo(() -> links.deleteIf(bridge, "bridge"), e);
            }
            throw e;
        }
        return new NetworkRecord(id, config.name(), BridgeDriver.ID, subnet.toString(), gateway.toString(),
                Map.of(DATA_BRIDGE, bridge, DATA_MTU, Integer.toString(mtu)));
    }

    void delete(NetworkRecord network) {
        state.locked(() -> {
            Optional<Pool> pool = ipam.find(network.id());
            if (pool.isPresent() && !pool.get().leases().isEmpty()) {
                throw KeelException.conflict("network %s is in use by %d attachment(s) (containers %s): detach them first",
                        network.name(), pool.get().leases().size(), pool.get().leases().stream()
                                .map(l -> l.containerId()).distinct().collect(Collectors.joining(", ")));
            }
            String bridge = pool.map(Pool::bridge).orElse(network.driverData().get(DATA_BRIDGE));
            if (bridge != null) {
                Names.checkInterfaceName(bridge, "bridge");
                firewall.removeNetwork(bridge);
                // Known from the pool, or named like the driver's bridges: nothing else is ever deleted.
                if (pool.isPresent() || bridge.equals(settings.defaultBridge()) || bridge.startsWith(settings.bridgePrefix())) {
                    try (NetlinkSocket socket = NetlinkSocket.open()) {
                        new Links(socket).deleteIf(bridge, "bridge");
                    }
                }
            }
            ipam.remove(network.id());
            if (ipam.all().isEmpty()) {
                firewall.removeTableIfEmpty();
            }
            return null;
        });
    }

    private static Subnet requestedSubnet(String text, List<HostView.Use> inUse) {
        Subnet subnet = Subnet.parse(text);
        if (subnet.prefixLength() < 8 || subnet.prefixLength() > 30) {
            throw KeelException.invalid("subnet %s: the prefix length must be 8 to 30", subnet);
        }
        inUse.stream().filter(u -> u.subnet().overlaps(subnet)).findFirst().ifPresent(u -> {
            throw KeelException.conflict("subnet %s overlaps %s (%s): choose another subnet", subnet, u.subnet(), u.what());
        });
        return subnet;
    }

    private static Ipv4 gateway(String text, Subnet subnet) {
        if (text == null) {
            return subnet.first();
        }
        Ipv4 gateway = Ipv4.parse(text);
        if (!subnet.contains(gateway) || gateway.equals(subnet.address()) || gateway.equals(subnet.broadcast())) {
            throw KeelException.invalid("gateway %s is not a host address of subnet %s", gateway, subnet);
        }
        return gateway;
    }

    private static int mtuOption(String text) {
        if (text == null) {
            return 0;
        }
        try {
            int mtu = Integer.parseInt(text);
            if (mtu >= 68 && mtu <= 65535) {
                return mtu;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw KeelException.invalid("option %s=%s: expected a number from 68 to 65535", OPTION_MTU, text);
    }

    /** A random, locally administered unicast MAC: a bridge with a set address keeps it as ports come and go. */
    static byte[] randomMac() {
        byte[] mac = randomBytes(6);
        mac[0] = (byte) ((mac[0] & 0xfc) | 0x02);
        return mac;
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Runs a step of undoing a failed change; its own failure is attached to the first, not thrown over it. */
    static void undo(Runnable step, RuntimeException first) {
        try {
            step.run();
        } catch (RuntimeException e) {
            first.addSuppressed(e);
        }
    }
}
