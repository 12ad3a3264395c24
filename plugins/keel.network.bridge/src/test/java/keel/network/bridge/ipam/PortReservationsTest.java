package keel.network.bridge.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;

class PortReservationsTest {
    private static final Ipv4 ANY = Ipv4.parse("0.0.0.0");
    private static final Ipv4 LOOPBACK = Ipv4.parse("127.0.0.1");

    @TempDir
    Path dir;

    @Test
    void clashesAreByProtocolPortAndAddress() {
        var r = new PortReservations.Reservation("tcp", LOOPBACK, 8080, "v", "c");
        assertTrue(r.clashes("tcp", LOOPBACK, 8080));
        assertTrue(r.clashes("tcp", ANY, 8080), "every address includes 127.0.0.1");
        assertFalse(r.clashes("udp", LOOPBACK, 8080));
        assertFalse(r.clashes("tcp", LOOPBACK, 8081));
        assertFalse(r.clashes("tcp", Ipv4.parse("127.0.0.2"), 8080));
    }

    @Test
    void aPortBoundOnTheHostIsRefusedWithItsAddress() throws Exception {
        PortReservations ports = new PortReservations(new StateDir(dir));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            KeelException e = assertThrows(KeelException.class, () -> ports.reserve(
                    List.of(new PortReservations.Request("tcp", LOOPBACK, port)), "v1", "c1"));
            assertEquals(ErrorKind.CONFLICT, e.kind());
            assertTrue(e.getMessage().startsWith("port 127.0.0.1:" + port + " is already in use"), e.getMessage());
        }
        assertEquals(List.of(), ports.all(), "nothing reserved");
    }

    @Test
    void reservesAllOrNoneAndChoosesPortZero() {
        PortReservations ports = new PortReservations(new StateDir(dir));
        List<Integer> chosen = ports.reserve(List.of(new PortReservations.Request("tcp", LOOPBACK, 0),
                new PortReservations.Request("udp", LOOPBACK, 0)), "v1", "c1");
        assertTrue(chosen.get(0) > 0 && chosen.get(1) > 0, chosen.toString());
        int port = chosen.get(0);
        KeelException e = assertThrows(KeelException.class, () -> ports.reserve(List.of(
                new PortReservations.Request("udp", LOOPBACK, 0), new PortReservations.Request("tcp", ANY, port)), "v2", "c2"));
        assertTrue(e.getMessage().contains("published by container c1"), e.getMessage());
        assertEquals(2, ports.all().size(), "the failed reservation left nothing");
        assertEquals(2, new PortReservations(new StateDir(dir)).release("v1"));
        assertEquals(List.of(), ports.all());
    }

    @Test
    void aForeignAddressIsAnInvalidArgument() {
        PortReservations ports = new PortReservations(new StateDir(dir));
        KeelException e = assertThrows(KeelException.class, () -> ports.reserve(
                List.of(new PortReservations.Request("tcp", Ipv4.parse("198.51.100.77"), 18080)), "v1", "c1"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("not an address of this host"), e.getMessage());
    }
}
