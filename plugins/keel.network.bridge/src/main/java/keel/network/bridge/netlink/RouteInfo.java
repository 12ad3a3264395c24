package keel.network.bridge.netlink;

import keel.network.bridge.ipam.Ipv4;

/**
 * An IPv4 route.
 *
 * @param table the routing table (254 main, 255 local)
 * @param destination its destination network, {@code 0.0.0.0} with length 0 for a default route
 * @param prefixLength the destination's prefix length
 * @param gateway the next hop, or null for a directly connected route
 * @param oif the output ifindex, 0 when none (e.g. multipath)
 */
public record RouteInfo(int table, Ipv4 destination, int prefixLength, Ipv4 gateway, int oif) {
    public boolean isDefault() {
        return prefixLength == 0;
    }
}
