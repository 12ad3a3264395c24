package keel.network.bridge.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import keel.network.bridge.ipam.Ipv4;
import keel.network.bridge.ipam.Subnet;

/** IPv4 address operations over one rtnetlink socket. */
public final class Addresses {
    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds {@code address/prefixLength} (with its broadcast) to the link; its prefix route comes with it. */
    public void add(int index, String linkName, Ipv4 address, int prefixLength) {
        NlMessage m = new NlMessage(Rtnl.RTM_NEWADDR, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL)
                .ifaddr(Rtnl.AF_INET, prefixLength, Rtnl.RT_SCOPE_UNIVERSE, index)
                .attr(Rtnl.IFA_LOCAL, address.bytes()).attr(Rtnl.IFA_ADDRESS, address.bytes());
        if (prefixLength < 31) {
            m.attr(Rtnl.IFA_BROADCAST, Subnet.containing(address, prefixLength).broadcast().bytes());
        }
        socket.execute("add address " + address + "/" + prefixLength + " to " + linkName, m);
    }

    /** Every IPv4 address of this namespace. */
    public List<AddressInfo> list() {
        List<AddressInfo> addresses = new ArrayList<>();
        for (ByteBuffer reply : socket.dump("list addresses",
                new NlMessage(Rtnl.RTM_GETADDR, 0).ifaddr(Rtnl.AF_INET, 0, 0, 0))) {
            int header = Rtnl.NLMSG_HDRLEN;
            if (reply.get(header) != Rtnl.AF_INET) {
                continue;
            }
            int prefixLength = reply.get(header + 1) & 0xff;
            int index = reply.getInt(header + 4);
            NlAttrs attrs = NlAttrs.parse(reply, header + Rtnl.IFADDRMSG_LEN, reply.getInt(0));
            byte[] local = attrs.has(Rtnl.IFA_LOCAL) ? attrs.bytes(Rtnl.IFA_LOCAL) : attrs.bytes(Rtnl.IFA_ADDRESS);
            if (local != null && local.length == 4) {
                addresses.add(new AddressInfo(index, Ipv4.of(local), prefixLength));
            }
        }
        return addresses;
    }

    /** The addresses of one link. */
    public List<AddressInfo> of(int index) {
        return list().stream().filter(a -> a.index() == index).toList();
    }
}
