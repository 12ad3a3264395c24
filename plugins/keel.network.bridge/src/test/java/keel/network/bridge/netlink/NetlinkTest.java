package keel.network.bridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.network.bridge.Sh;
import keel.network.bridge.ipam.Ipv4;

/** The netlink layer against the real kernel, on links and namespaces named kt.... */
class NetlinkTest {
    private String tag;

    @BeforeEach
    void setUp() {
        Sh.assumeRoot();
        tag = Sh.randomTag();
    }

    @AfterEach
    void cleanUp() {
        if (tag != null) {
            Sh.removeEverythingWith(tag);
            assertEquals(List.of(), Sh.linksWith(tag));
        }
    }

    @Test
    void createsConfiguresListsAndDeletesABridge() {
        String bridge = tag + "br";
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            Links links = new Links(socket);
            links.createBridge(bridge, 1400, new byte[] {0x02, 0x42, 1, 2, 3, 4});
            LinkInfo created = links.require(bridge);
            assertEquals("bridge", created.kind());
            assertEquals(1400, created.mtu());
            assertEquals("02:42:01:02:03:04", created.mac());
            assertFalse(created.up());

            links.setMtu(created.index(), bridge, 1300);
            links.setUp(created.index(), bridge);
            new Addresses(socket).add(created.index(), bridge, Ipv4.parse("10.254.77.1"), 24);
            LinkInfo changed = links.require(bridge);
            assertTrue(changed.up());
            assertEquals(1300, changed.mtu());
            assertTrue(links.list().stream().anyMatch(l -> l.name().equals(bridge)));
            assertEquals("10.254.77.1/24", new Addresses(socket).of(created.index()).get(0).toString());
            assertTrue(Sh.ok("ip", "-o", "-4", "addr", "show", "dev", bridge).contains("10.254.77.1/24"));
            assertTrue(new Routes(socket).main().stream()
                    .anyMatch(r -> r.oif() == created.index() && r.destination().toString().equals("10.254.77.0")
                            && r.prefixLength() == 24), "the address's prefix route");

            assertTrue(links.delete(bridge));
            assertFalse(links.delete(bridge), "deleting a gone link is not an error");
            assertTrue(links.find(bridge).isEmpty());
        }
    }

    @Test
    void kernelErrorsNameTheOperationAndTheErrno() {
        String bridge = tag + "dup";
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            Links links = new Links(socket);
            links.createBridge(bridge, 0, null);
            KeelException e = assertThrows(KeelException.class, () -> links.createBridge(bridge, 0, null));
            assertEquals(ErrorKind.ALREADY_EXISTS, e.kind());
            assertTrue(e.getMessage().startsWith("create bridge " + bridge + " failed: "), e.getMessage());
            assertTrue(e.getMessage().contains("(EEXIST)"), e.getMessage());

            KeelException invalid = assertThrows(KeelException.class,
                    () -> links.setMtu(links.require(bridge).index(), bridge, 20));
            assertTrue(invalid.getMessage().contains("(EINVAL)"), invalid.getMessage());
            assertTrue(invalid.getMessage().contains("the kernel says"), "extended ack: " + invalid.getMessage());
        }
    }

    @Test
    void vethPeerMovesIntoANamespaceAndIsConfiguredThereOnItsOwnThread() throws Exception {
        String ns = tag + "ns";
        String path = Sh.addNetns(ns);
        String host = tag + "h";
        String peer = tag + "p";
        Object before = Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino");
        try (NetlinkSocket socket = NetlinkSocket.open(); Netns.Handle handle = Netns.open(path)) {
            Links links = new Links(socket);
            links.createVeth(host, peer, 1450, new byte[] {0x02, 0x42, 10, 0, 0, 9});
            links.moveToNetns(links.require(peer).index(), peer, handle.fd(), "eth7");
            assertTrue(links.find(peer).isEmpty(), "the peer left the host");
            assertEquals(1450, links.require(host).mtu());
        }
        String thread = Netns.run(path, "configure eth7", socket -> {
            Links links = new Links(socket);
            LinkInfo eth = links.require("eth7");
            new Addresses(socket).add(eth.index(), "eth7", Ipv4.parse("10.254.78.2"), 24);
            links.setUp(eth.index(), "eth7");
            links.setUp(links.require("lo").index(), "lo");
            new Routes(socket).addDefault(Ipv4.parse("10.254.78.1"), eth.index(), "eth7");
            return Thread.currentThread().getName();
        });
        assertTrue(thread.startsWith("keel-netns-"), thread);
        assertEquals(before, Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino"),
                "the calling thread never changed namespace");
        String addr = Sh.inNetns(ns, "ip", "-o", "-4", "addr", "show", "dev", "eth7").out();
        assertTrue(addr.contains("10.254.78.2/24"), addr);
        assertEquals(1450, Integer.parseInt(Sh.inNetns(ns, "cat", "/sys/class/net/eth7/mtu").out().strip()));
        assertTrue(Sh.inNetns(ns, "ip", "route", "show", "default").out().contains("via 10.254.78.1 dev eth7"));

        KeelException missing = assertThrows(KeelException.class,
                () -> Netns.run(path, "find eth9", socket -> new Links(socket).require("eth9")));
        assertEquals(ErrorKind.NOT_FOUND, missing.kind());
        assertFalse(Netns.isOwn(path));
        assertTrue(Netns.isOwn("/proc/1/ns/net") || !Files.exists(Path.of("/proc/1/ns/net")));
    }
}
