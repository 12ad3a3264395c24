package keel.network.bridge.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one netlink request: the 16-byte {@code nlmsghdr}, a fixed family header (e.g.
 * {@code ifinfomsg}), then attributes, each padded to 4 bytes, nested ones by
 * {@link #begin(int)}/{@link #end()}. Host byte order throughout, as the kernel expects.
 */
public final class NlMessage {
    private ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();

    NlMessage(int type, int flags) {
        buffer.putInt(0); // length, set by bytes()
        buffer.putShort((short) type);
        buffer.putShort((short) (flags | Rtnl.NLM_F_REQUEST));
        buffer.putInt(0); // sequence, set by the socket
        buffer.putInt(0); // port id: 0 addresses the kernel
    }

    /** {@code struct ifinfomsg}: family, type, index, flags, change mask. */
    NlMessage ifinfo(int index, int flags, int change) {
        return ifinfo(Rtnl.AF_UNSPEC, index, flags, change);
    }

    /** {@code struct ifinfomsg} of a family (AF_BRIDGE addresses a bridge port's settings). */
    NlMessage ifinfo(int family, int index, int flags, int change) {
        ensure(Rtnl.IFINFOMSG_LEN);
        buffer.put((byte) family).put((byte) 0).putShort((short) 0);
        buffer.putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** {@code struct ifaddrmsg}. */
    NlMessage ifaddr(int family, int prefixLength, int scope, int index) {
        ensure(Rtnl.IFADDRMSG_LEN);
        buffer.put((byte) family).put((byte) prefixLength).put((byte) 0).put((byte) scope).putInt(index);
        return this;
    }

    /** {@code struct rtmsg}. */
    NlMessage rtmsg(int family, int dstLength, int table, int protocol, int scope, int type) {
        ensure(Rtnl.RTMSG_LEN);
        buffer.put((byte) family).put((byte) dstLength).put((byte) 0).put((byte) 0);
        buffer.put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type).putInt(0);
        return this;
    }

    NlMessage attr(int type, byte[] value) {
        int length = 4 + value.length;
        ensure(Rtnl.align(length));
        buffer.putShort((short) length).putShort((short) type).put(value);
        pad();
        return this;
    }

    NlMessage attrInt(int type, int value) {
        byte[] bytes = new byte[4];
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(value);
        return attr(type, bytes);
    }

    /** A NUL-terminated string attribute (names, kinds). */
    NlMessage attrString(int type, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(text, text.length + 1));
    }

    /** Opens a nested attribute; everything until {@link #end()} is inside it. */
    NlMessage begin(int type) {
        ensure(4);
        open.push(buffer.position());
        buffer.putShort((short) 0).putShort((short) type);
        return this;
    }

    /** Raw bytes inside the current attribute (VETH_INFO_PEER starts with an {@code ifinfomsg}). */
    NlMessage raw(byte[] bytes) {
        ensure(Rtnl.align(bytes.length));
        buffer.put(bytes);
        pad();
        return this;
    }

    NlMessage end() {
        int start = open.pop();
        buffer.putShort(start, (short) (buffer.position() - start));
        return this;
    }

    /** The finished message with {@code sequence}; all nested attributes must be closed. */
    byte[] bytes(int sequence) {
        if (!open.isEmpty()) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        buffer.putInt(0, buffer.position());
        buffer.putInt(8, sequence);
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    int type() {
        return buffer.getShort(4) & 0xffff;
    }

    private void pad() {
        while ((buffer.position() & 3) != 0) {
            buffer.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buffer.remaining() < more + 4) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more + 64))
                    .order(ByteOrder.nativeOrder());
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }
}
