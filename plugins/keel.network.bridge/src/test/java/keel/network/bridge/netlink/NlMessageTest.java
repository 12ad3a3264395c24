package keel.network.bridge.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class NlMessageTest {

    @Test
    void headerAttributesAndNestingAreLaidOutAsTheKernelReadsThem() {
        NlMessage m = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE).ifinfo(7, Rtnl.IFF_UP, Rtnl.IFF_UP)
                .attrString(Rtnl.IFLA_IFNAME, "ab") // 4 + 3 bytes, padded to 8
                .begin(Rtnl.IFLA_LINKINFO).attrString(Rtnl.IFLA_INFO_KIND, "veth").end()
                .attrInt(Rtnl.IFLA_MTU, 1400);
        byte[] bytes = m.bytes(42);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertEquals(bytes.length, b.getInt(0));
        assertEquals(Rtnl.RTM_NEWLINK, b.getShort(4));
        assertEquals(Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REQUEST, b.getShort(6));
        assertEquals(42, b.getInt(8));
        assertEquals(7, b.getInt(16 + 4), "ifi_index");
        assertEquals(0, bytes.length % 4);
        assertEquals(16 + 16 + 8 + (4 + 12) + 8, bytes.length);

        NlAttrs attrs = NlAttrs.parse(b, 32, bytes.length);
        assertEquals("ab", attrs.string(Rtnl.IFLA_IFNAME));
        assertEquals(1400, attrs.u32(Rtnl.IFLA_MTU, 0));
        assertEquals("veth", attrs.nested(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND));
        assertEquals(16, b.getShort(40), "the nested attribute's length covers its child");
    }

    @Test
    void aMalformedAttributeStopsTheParseInsideTheMessage() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 8).putShort(2, (short) 1).putInt(4, 99);
        b.putShort(8, (short) 200).putShort(10, (short) 2); // claims 200 bytes in a 16-byte buffer
        NlAttrs attrs = NlAttrs.parse(b, 0, 16);
        assertEquals(99, attrs.u32(1, 0));
        assertTrue(!attrs.has(2));
        assertArrayEquals(null, attrs.bytes(3));
    }
}
