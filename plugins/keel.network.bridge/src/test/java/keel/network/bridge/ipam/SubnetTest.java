package keel.network.bridge.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;

class SubnetTest {

    @Test
    void parsesOnlyDottedQuads() {
        assertEquals("10.88.0.1", Ipv4.parse("10.88.0.1").toString());
        assertEquals("255.255.255.255", Ipv4.parse("255.255.255.255").toString());
        for (String bad : List.of("10.88.0", "10.88.0.256", "010.1.1.1", "1.2.3.4.5", "a.b.c.d", "1..2.3", "", " 1.2.3.4",
                "1.2.3.-4", "0x7f.0.0.1")) {
            KeelException e = assertThrows(KeelException.class, () -> Ipv4.parse(bad), bad);
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        }
    }

    @Test
    void subnetsKnowTheirAddresses() {
        Subnet s = Subnet.parse("172.17.0.0/16");
        assertEquals("172.17.0.1", s.first().toString());
        assertEquals("172.17.255.255", s.broadcast().toString());
        assertEquals(65536, s.size());
        assertTrue(s.contains(Ipv4.parse("172.17.3.4")));
        assertFalse(s.contains(Ipv4.parse("172.18.0.1")));
        assertEquals("10.1.2.0/24", Subnet.containing(Ipv4.parse("10.1.2.77"), 24).toString());
        KeelException hostBits = assertThrows(KeelException.class, () -> Subnet.parse("172.20.0.1/16"));
        assertTrue(hostBits.getMessage().contains("the network is 172.20.0.0/16"), hostBits.getMessage());
        assertThrows(KeelException.class, () -> Subnet.parse("10.0.0.0/33"));
        assertThrows(KeelException.class, () -> Subnet.parse("10.0.0.0"));
    }

    @Test
    void overlapIsSymmetricAndExact() {
        Subnet wide = Subnet.parse("10.0.0.0/8");
        Subnet inside = Subnet.parse("10.88.0.0/16");
        Subnet beside = Subnet.parse("11.0.0.0/8");
        assertTrue(wide.overlaps(inside));
        assertTrue(inside.overlaps(wide));
        assertFalse(wide.overlaps(beside));
        assertTrue(Subnet.parse("0.0.0.0/0").overlaps(beside));
        assertFalse(Subnet.parse("192.168.0.0/20").overlaps(Subnet.parse("192.168.16.0/20")));
    }

    @Test
    void theChooserSkipsWhatTheHostUses() {
        assertEquals("172.17.0.0/16", SubnetChooser.choose(List.of(Subnet.parse("192.0.2.0/24"))).toString());
        assertEquals("172.18.0.0/16", SubnetChooser.choose(List.of(Subnet.parse("172.17.5.0/24"))).toString());
        assertEquals("10.88.0.0/16", SubnetChooser.choose(List.of(Subnet.parse("172.16.0.0/12"))).toString());
        assertEquals("192.168.16.0/20", SubnetChooser.choose(List.of(Subnet.parse("172.16.0.0/12"),
                Subnet.parse("10.0.0.0/8"), Subnet.parse("192.168.1.0/24"))).toString());
        KeelException full = assertThrows(KeelException.class,
                () -> SubnetChooser.choose(List.of(Subnet.parse("0.0.0.0/1"), Subnet.parse("128.0.0.0/1"))));
        assertEquals(ErrorKind.UNAVAILABLE, full.kind());
        assertTrue(full.getMessage().contains("pass a subnet"), full.getMessage());
    }
}
