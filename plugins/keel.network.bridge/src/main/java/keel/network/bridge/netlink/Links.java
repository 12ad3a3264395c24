package keel.network.bridge.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** Link operations over one rtnetlink socket, in that socket's network namespace. */
public final class Links {
    private static final HexFormat MAC = HexFormat.ofDelimiter(":");
    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Creates a bridge (down) with a fixed MAC, so that ports joining do not change its address. */
    public void createBridge(String name, int mtu, byte[] mac) {
        NlMessage m = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL).ifinfo(0, 0, 0)
                .attrString(Rtnl.IFLA_IFNAME, name);
        if (mtu > 0) {
            m.attrInt(Rtnl.IFLA_MTU, mtu);
        }
        if (mac != null) {
            m.attr(Rtnl.IFLA_ADDRESS, mac);
        }
        m.begin(Rtnl.IFLA_LINKINFO).attrString(Rtnl.IFLA_INFO_KIND, "bridge").end();
        socket.execute("create bridge " + name, m);
    }

    /** Creates a veth pair, both ends down in this namespace; {@code peerMac} may be null. */
    public void createVeth(String name, String peerName, int mtu, byte[] peerMac) {
        NlMessage m = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL).ifinfo(0, 0, 0)
                .attrString(Rtnl.IFLA_IFNAME, name);
        if (mtu > 0) {
            m.attrInt(Rtnl.IFLA_MTU, mtu);
        }
        m.begin(Rtnl.IFLA_LINKINFO).attrString(Rtnl.IFLA_INFO_KIND, "veth").begin(Rtnl.IFLA_INFO_DATA)
                .begin(Rtnl.VETH_INFO_PEER).raw(new byte[Rtnl.IFINFOMSG_LEN]).attrString(Rtnl.IFLA_IFNAME, peerName);
        if (mtu > 0) {
            m.attrInt(Rtnl.IFLA_MTU, mtu);
        }
        if (peerMac != null) {
            m.attr(Rtnl.IFLA_ADDRESS, peerMac);
        }
        m.end().end().end();
        socket.execute("create veth pair " + name + "/" + peerName, m);
    }

    /** Moves a link into the network namespace open at {@code netnsFd}, renaming it there to {@code newName}. */
    public void moveToNetns(int index, String name, int netnsFd, String newName) {
        NlMessage m = new NlMessage(Rtnl.RTM_NEWLINK, 0).ifinfo(index, 0, 0).attrInt(Rtnl.IFLA_NET_NS_FD, netnsFd);
        if (newName != null) {
            m.attrString(Rtnl.IFLA_IFNAME, newName);
        }
        socket.execute("move " + name + " into a network namespace" + (newName == null ? "" : " as " + newName), m);
    }

    /** Renames a link (it must be down). */
    public void rename(int index, String name, String newName) {
        socket.execute("rename " + name + " to " + newName,
                new NlMessage(Rtnl.RTM_NEWLINK, 0).ifinfo(index, 0, 0).attrString(Rtnl.IFLA_IFNAME, newName));
    }

    public void setMaster(int index, String name, int masterIndex, String masterName) {
        socket.execute("attach " + name + " to bridge " + masterName,
                new NlMessage(Rtnl.RTM_NEWLINK, 0).ifinfo(index, 0, 0).attrInt(Rtnl.IFLA_MASTER, masterIndex));
    }

    /**
     * Lets the bridge send a frame back out of the port it came in by: a container reaching its own
     * published port is DNAT'd back to itself on the bridge (Docker sets it when no userland proxy runs).
     */
    public void setHairpin(int index, String name, boolean on) {
        socket.execute("set hairpin mode of bridge port " + name,
                new NlMessage(Rtnl.RTM_SETLINK, 0).ifinfo(Rtnl.AF_BRIDGE, index, 0, 0)
                        .begin(Rtnl.IFLA_PROTINFO | Rtnl.NLA_F_NESTED).attr(Rtnl.IFLA_BRPORT_MODE, new byte[] {(byte) (on ? 1 : 0)})
                        .end());
    }

    public void setUp(int index, String name) {
        socket.execute("set " + name + " up",
                new NlMessage(Rtnl.RTM_NEWLINK, 0).ifinfo(index, Rtnl.IFF_UP, Rtnl.IFF_UP));
    }

    public void setMtu(int index, String name, int mtu) {
        socket.execute("set the MTU of " + name + " to " + mtu,
                new NlMessage(Rtnl.RTM_NEWLINK, 0).ifinfo(index, 0, 0).attrInt(Rtnl.IFLA_MTU, mtu));
    }

    /** Deletes a link by name; returns false when there was none (so deleting twice is not an error). */
    public boolean delete(String name) {
        try {
            socket.execute("delete link " + name,
                    new NlMessage(Rtnl.RTM_DELLINK, 0).ifinfo(0, 0, 0).attrString(Rtnl.IFLA_IFNAME, name));
            return true;
        } catch (KeelException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Deletes link {@code name} only if it is of {@code kind} (a record naming {@code eth0} must not
     * take the host's uplink with it); returns false when there was none.
     */
    public boolean deleteIf(String name, String kind) {
        Optional<LinkInfo> link = find(name);
        if (link.isEmpty()) {
            return false;
        }
        if (!kind.equals(link.get().kind())) {
            throw KeelException.conflict("interface %s is a %s, not a %s: the bridge driver does not delete it", name,
                    link.get().kind() == null ? "device without a kind" : link.get().kind(), kind);
        }
        return delete(name);
    }

    /** The link named {@code name}, if there is one. */
    public Optional<LinkInfo> find(String name) {
        try {
            ByteBuffer reply = socket.get("look up link " + name,
                    new NlMessage(Rtnl.RTM_GETLINK, 0).ifinfo(0, 0, 0).attrString(Rtnl.IFLA_IFNAME, name));
            return Optional.of(parse(reply));
        } catch (KeelException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The link named {@code name}; not-found naming it otherwise. */
    public LinkInfo require(String name) {
        return find(name).orElseThrow(() -> KeelException.notFound("there is no network interface %s", name));
    }

    public List<LinkInfo> list() {
        List<LinkInfo> links = new ArrayList<>();
        for (ByteBuffer reply : socket.dump("list links", new NlMessage(Rtnl.RTM_GETLINK, 0).ifinfo(0, 0, 0))) {
            if ((reply.getShort(4) & 0xffff) == Rtnl.RTM_NEWLINK) {
                links.add(parse(reply));
            }
        }
        return links;
    }

    static LinkInfo parse(ByteBuffer message) {
        int header = Rtnl.NLMSG_HDRLEN;
        int index = message.getInt(header + 4);
        int flags = message.getInt(header + 8);
        NlAttrs attrs = NlAttrs.parse(message, header + Rtnl.IFINFOMSG_LEN, message.getInt(0));
        byte[] mac = attrs.bytes(Rtnl.IFLA_ADDRESS);
        return new LinkInfo(index, attrs.string(Rtnl.IFLA_IFNAME),
                attrs.nested(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND), (flags & Rtnl.IFF_UP) != 0,
                attrs.u32(Rtnl.IFLA_MTU, 0), attrs.u32(Rtnl.IFLA_MASTER, 0),
                mac == null || mac.length == 0 ? null : MAC.formatHex(mac));
    }
}
