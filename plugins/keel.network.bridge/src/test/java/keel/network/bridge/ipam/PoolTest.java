package keel.network.bridge.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;

class PoolTest {
    private static Pool pool(String cidr) {
        Subnet subnet = Subnet.parse(cidr);
        return new Pool("ab12", "net", "keel-ab12", subnet, subnet.first());
    }

    @Test
    void handsOutEachAddressOnceAndGoesRoundTheSubnet() {
        Pool pool = pool("10.0.0.0/29"); // .1 gateway, .2-.6 hosts, .7 broadcast
        Set<Ipv4> given = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            assertTrue(given.add(pool.allocate("veth" + i, "c" + i).address()));
        }
        assertEquals(Set.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"),
                given.stream().map(Ipv4::toString).collect(java.util.stream.Collectors.toSet()));
        KeelException full = assertThrows(KeelException.class, () -> pool.allocate("veth9", "c9"));
        assertEquals(ErrorKind.UNAVAILABLE, full.kind());

        assertTrue(pool.release("veth1"));
        assertFalse(pool.release("veth1"));
        assertEquals("10.0.0.3", pool.allocate("veth7", "c7").address().toString());
        pool.release("veth2");
        pool.release("veth4");
        assertEquals("10.0.0.4", pool.allocate("veth8", "c8").address().toString());
        pool.release("veth8");
        assertEquals("10.0.0.6", pool.allocate("veth9", "c9").address().toString(),
                "after the last handed out, not the lowest free: " + pool.leases());
    }

    @Test
    void oneAttachmentGetsOneAddress() {
        Pool pool = pool("10.0.0.0/24");
        pool.allocate("vethA", "c1");
        KeelException twice = assertThrows(KeelException.class, () -> pool.allocate("vethA", "c1"));
        assertEquals(ErrorKind.CONFLICT, twice.kind());
        assertTrue(twice.getMessage().contains("already attached"), twice.getMessage());
    }

    @Test
    void claimsRespectOtherLeases() {
        Pool pool = pool("10.0.0.0/24");
        Lease a = pool.allocate("vethA", "c1");
        assertThrows(KeelException.class, () -> pool.claim(new Lease(a.address(), "vethB", "c2")));
        pool.claim(new Lease(Ipv4.parse("10.0.0.9"), "vethB", "c2"));
        assertThrows(KeelException.class, () -> pool.claim(new Lease(Ipv4.parse("10.0.0.1"), "vethC", "c3")),
                "the gateway is never leased");
        assertThrows(KeelException.class, () -> pool.claim(new Lease(Ipv4.parse("10.0.1.9"), "vethC", "c3")));
        assertEquals(2, pool.leases().size());
    }

    @Test
    void rendersAndParsesBack() {
        Pool pool = pool("10.0.0.0/24");
        pool.allocate("vethA", "c1");
        pool.allocate("vethB", "c2");
        pool.release("vethA");
        Pool back = Pool.parse(pool.render(), "test");
        assertEquals(pool.render(), back.render());
        assertEquals("10.0.0.4", back.allocate("vethC", "c3").address().toString(), "the round-robin position survives");
    }

    @Test
    void aCorruptFileIsNamed() {
        KeelException e = assertThrows(KeelException.class, () -> Pool.parse("version 1\nid x\nsubnet 10.0.0.0/24\n", "/s/f"));
        assertTrue(e.getMessage().contains("/s/f is corrupt"), e.getMessage());
        assertThrows(KeelException.class, () -> Pool.parse("version 2\n", "f"));
        assertThrows(KeelException.class, () -> Pool.parse("lease 10.0.0.2\n", "f"));
    }
}
