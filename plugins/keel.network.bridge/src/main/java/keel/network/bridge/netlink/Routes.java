package keel.network.bridge.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import keel.network.bridge.ipam.Ipv4;

/** IPv4 route operations over one rtnetlink socket. */
public final class Routes {
    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds the default route of the main table via {@code gateway} out of link {@code index}. */
    public void addDefault(Ipv4 gateway, int index, String linkName) {
        NlMessage m = new NlMessage(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL)
                .rtmsg(Rtnl.AF_INET, 0, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_BOOT, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST)
                .attr(Rtnl.RTA_GATEWAY, gateway.bytes()).attrInt(Rtnl.RTA_OIF, index);
        socket.execute("add a default route via " + gateway + " on " + linkName, m);
    }

    /** Every IPv4 route of every table. */
    public List<RouteInfo> list() {
        List<RouteInfo> routes = new ArrayList<>();
        for (ByteBuffer reply : socket.dump("list routes",
                new NlMessage(Rtnl.RTM_GETROUTE, 0).rtmsg(Rtnl.AF_INET, 0, 0, 0, 0, 0))) {
            int header = Rtnl.NLMSG_HDRLEN;
            if ((reply.getShort(4) & 0xffff) != Rtnl.RTM_NEWROUTE || reply.get(header) != Rtnl.AF_INET) {
                continue;
            }
            int dstLength = reply.get(header + 1) & 0xff;
            int table = reply.get(header + 4) & 0xff;
            NlAttrs attrs = NlAttrs.parse(reply, header + Rtnl.RTMSG_LEN, reply.getInt(0));
            table = attrs.u32(Rtnl.RTA_TABLE, table);
            byte[] dst = attrs.bytes(Rtnl.RTA_DST);
            byte[] gateway = attrs.bytes(Rtnl.RTA_GATEWAY);
            routes.add(new RouteInfo(table, dst == null ? new Ipv4(0) : Ipv4.of(dst), dstLength,
                    gateway == null || gateway.length != 4 ? null : Ipv4.of(gateway), attrs.u32(Rtnl.RTA_OIF, 0)));
        }
        return routes;
    }

    /** The routes of the main table. */
    public List<RouteInfo> main() {
        return list().stream().filter(r -> r.table() == Rtnl.RT_TABLE_MAIN).toList();
    }
}
