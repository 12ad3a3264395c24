package keel.network.bridge;

import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.Map;

import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkDriver;
import keel.api.network.NetworkRecord;
import keel.network.bridge.ipam.Ipam;
import keel.network.bridge.ipam.PortReservations;
import keel.network.bridge.ipam.StateDir;
import keel.network.bridge.netlink.NetlinkSocket;
import keel.network.bridge.nft.Firewall;
import keel.network.bridge.nft.Nft;

/**
 * The bridge network driver as a plain object (tests build it with {@code new}): Docker's bridge
 * networking with rtnetlink for links, addresses and routes and one nftables table for NAT,
 * isolation and published ports. All state is under {@link BridgeSettings#stateDir()}, so a new
 * instance over the same directory (a restart, an updated bundle) sees every lease and port.
 */
public class BridgeDriver implements NetworkDriver {
    /** The driver's id ({@code keel.driver.id}) and the {@code driver} of its network records. */
    public static final String ID = "bridge";

    private final BridgeSettings settings;
    private final Nft nft;
    private final Ipam ipam;
    private final Networks networks;
    private final Attachments attachments;
    private volatile String nftVersion;

    /** The default settings, with the state in {@code <keel.root>/network.bridge/} (keel.root default /var/lib/keel). */
    static BridgeSettings settings(String keelRoot) {
        Path root = Path.of(keelRoot == null ? "/var/lib/keel" : keelRoot);
        return BridgeSettings.defaults(root.resolve("network." + ID));
    }

    public BridgeDriver(BridgeSettings settings) {
        this.settings = settings;
        StateDir state = new StateDir(settings.stateDir());
        this.nft = new Nft(settings.nft());
        Firewall firewall = new Firewall(nft, settings.table());
        this.ipam = new Ipam(state);
        this.networks = new Networks(settings, state, ipam, firewall);
        this.attachments = new Attachments(settings, ipam, new PortReservations(state), firewall);
    }

    /** Fails, naming what is missing, when this host cannot run the driver (no nft, no rtnetlink). */
    public void probe() {
        nft.requireInstalled(); // the version is asked for by describe(), once
        NetlinkSocket.open().close();
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("driver", ID);
        String version = nftVersion;
        if (version == null) {
            version = nftVersion = nft.version(); // once: describe() is cheap after the first call
        }
        facts.put("nftables", version);
        facts.put("nftables.table", "inet " + settings.table());
        facts.put("state", settings.stateDir().toString());
        facts.put("ip_forward", Sysctl.forwarding());
        facts.put("networks", Integer.toString(ipam.all().size()));
        return facts;
    }

    @Override
    public NetworkRecord create(NetworkConfig config) {
        return networks.create(config);
    }

    @Override
    public void delete(NetworkRecord network) {
        networks.delete(network);
    }

    @Override
    public Attachment attach(NetworkRecord network, AttachRequest request) {
        return attachments.attach(network, request);
    }

    @Override
    public void detach(Attachment attachment) {
        attachments.detach(attachment);
    }

    @Override
    public void check(Attachment attachment) {
        attachments.check(attachment);
    }

    @Override
    public Attachment adopt(Attachment attachment) {
        return attachments.adopt(attachment);
    }
}
