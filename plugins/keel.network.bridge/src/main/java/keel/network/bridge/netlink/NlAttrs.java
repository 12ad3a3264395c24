package keel.network.bridge.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The attributes of a netlink message (or of a nested attribute), by type; the last of a type wins. */
final class NlAttrs {
    private static final int NLA_TYPE_MASK = 0x3fff;
    private final Map<Integer, ByteBuffer> values = new HashMap<>();

    /** Reads attributes from {@code from} to {@code to} (exclusive) of {@code buffer}. */
    static NlAttrs parse(ByteBuffer buffer, int from, int to) {
        NlAttrs attrs = new NlAttrs();
        int at = from;
        while (at + 4 <= to) {
            int length = buffer.getShort(at) & 0xffff;
            int type = buffer.getShort(at + 2) & NLA_TYPE_MASK;
            if (length < 4 || at + length > to) {
                break; // malformed: stop rather than read past the message
            }
            ByteBuffer value = buffer.duplicate().order(ByteOrder.nativeOrder());
            value.limit(at + length).position(at + 4);
            attrs.values.put(type, value.slice().order(ByteOrder.nativeOrder()));
            at += Rtnl.align(length);
        }
        return attrs;
    }

    boolean has(int type) {
        return values.containsKey(type);
    }

    byte[] bytes(int type) {
        ByteBuffer value = values.get(type);
        if (value == null) {
            return null;
        }
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        return bytes;
    }

    /** A u32 attribute, or {@code otherwise} when absent. */
    int u32(int type, int otherwise) {
        ByteBuffer value = values.get(type);
        return value == null || value.remaining() < 4 ? otherwise : value.getInt(0);
    }

    /** A NUL-terminated string attribute, or null. */
    String string(int type) {
        byte[] bytes = bytes(type);
        if (bytes == null) {
            return null;
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** A nested attribute's own attributes (empty when absent). */
    NlAttrs nested(int type) {
        ByteBuffer value = values.get(type);
        return value == null ? new NlAttrs() : parse(value, 0, value.limit());
    }
}
