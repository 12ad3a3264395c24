package keel.network.cni;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The conflist the driver writes for a network nobody configured (the built-in {@code bridge}
 * network and every {@code keel network create}): the {@code bridge} plugin (gateway on the
 * bridge, masquerade, hairpin) with {@code host-local} addresses kept under the driver's state,
 * {@code portmap} for published ports and {@code firewall} to let the containers' traffic through
 * the host's FORWARD chain. The loopback is not in it: the driver brings lo up separately.
 */
final class BridgeConfList {
    static final String CNI_VERSION = "1.0.0";

    private BridgeConfList() {
    }

    /**
     * @param gateway the gateway address, or null for the subnet's first
     * @param mtu the bridge's and veths' MTU, or 0 for the plugin's default
     */
    static ConfList of(String name, String bridge, Cidr subnet, String gateway, int mtu, Path ipamDir, String source) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("cniVersion", CNI_VERSION);
        root.put("name", name);
        ArrayNode plugins = root.putArray("plugins");

        ObjectNode bridgePlugin = plugins.addObject();
        bridgePlugin.put("type", "bridge");
        bridgePlugin.put("bridge", bridge);
        bridgePlugin.put("isGateway", true);
        bridgePlugin.put("ipMasq", true);
        bridgePlugin.put("hairpinMode", true);
        if (mtu > 0) {
            bridgePlugin.put("mtu", mtu);
        }
        ObjectNode ipam = bridgePlugin.putObject("ipam");
        ipam.put("type", "host-local");
        ObjectNode range = ipam.putArray("ranges").addArray().addObject();
        range.put("subnet", subnet.toString());
        range.put("gateway", gateway == null ? Cidr.text(subnet.first()) : gateway);
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        ipam.put("dataDir", ipamDir.toString());

        ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        portmap.put("snat", true);

        ObjectNode firewall = plugins.addObject();
        firewall.put("type", "firewall");
        firewall.put("backend", "iptables");
        return ConfList.parse(Json.text(root), source, false);
    }

    /** The loopback's own one-plugin list, run before the network's ADD and after its DEL. */
    static ConfList loopback() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("cniVersion", CNI_VERSION);
        root.put("name", "lo");
        root.putArray("plugins").addObject().put("type", "loopback");
        return ConfList.parse(Json.text(root), "built-in", false);
    }
}
