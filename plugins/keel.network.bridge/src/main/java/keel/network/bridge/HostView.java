package keel.network.bridge;

import java.util.ArrayList;
import java.util.List;

import keel.network.bridge.ipam.Subnet;
import keel.network.bridge.netlink.AddressInfo;
import keel.network.bridge.netlink.Addresses;
import keel.network.bridge.netlink.LinkInfo;
import keel.network.bridge.netlink.Links;
import keel.network.bridge.netlink.NetlinkSocket;
import keel.network.bridge.netlink.RouteInfo;
import keel.network.bridge.netlink.Routes;

/** The host's links, addresses and routes at one moment, read over rtnetlink; what subnets are taken, the uplink MTU. */
record HostView(List<LinkInfo> links, List<AddressInfo> addresses, List<RouteInfo> routes) {
    private static final int LOCAL_TABLE = 255;
    private static final int DEFAULT_MTU = 1500;

    static HostView read(NetlinkSocket socket) {
        return new HostView(new Links(socket).list(), new Addresses(socket).list(), new Routes(socket).list());
    }

    /**
     * Every subnet in use on the host except on interface {@code ignoreIndex} (a bridge being
     * reused), each with what uses it: routes of all tables but local, and the networks of addresses.
     */
    List<Use> subnetsInUse(int ignoreIndex) {
        List<Use> uses = new ArrayList<>();
        for (RouteInfo r : routes) {
            if (r.table() != LOCAL_TABLE && !r.isDefault() && r.oif() != ignoreIndex) {
                uses.add(new Use(Subnet.containing(r.destination(), r.prefixLength()), "the host's route to "
                        + r.destination() + "/" + r.prefixLength() + " on " + nameOf(r.oif())));
            }
        }
        for (AddressInfo a : addresses) {
            if (a.index() != ignoreIndex && !a.address().isLoopback()) {
                uses.add(new Use(Subnet.containing(a.address(), a.prefixLength()), "address " + a + " on "
                        + nameOf(a.index())));
            }
        }
        return uses;
    }

    record Use(Subnet subnet, String what) {
    }

    /** The MTU of the interface of the main table's default route (1500 when there is none). */
    int uplinkMtu() {
        return routes.stream().filter(r -> r.table() == 254 && r.isDefault() && r.oif() != 0).findFirst()
                .flatMap(r -> links.stream().filter(l -> l.index() == r.oif()).findFirst()).map(LinkInfo::mtu)
                .filter(mtu -> mtu > 0).orElse(DEFAULT_MTU);
    }

    String nameOf(int index) {
        return links.stream().filter(l -> l.index() == index).map(LinkInfo::name).findFirst().orElse("#" + index);
    }
}
