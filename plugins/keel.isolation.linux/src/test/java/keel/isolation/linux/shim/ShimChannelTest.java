package keel.isolation.linux.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's side of a shim's socket, against a stand-in for the shim. */
class ShimChannelTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    /** A stand-in shim connected to a channel; the socket file is gone once accepted. */
    private record Pair(ShimChannel launcher, SocketChannel shim) {
    }

    private Pair connect() throws IOException {
        Path path = dir.resolve("s.sock");
        ServerSocketChannel server = ShimChannel.listen(path);
        SocketChannel shim = SocketChannel.open(StandardProtocolFamily.UNIX);
        shim.connect(UnixDomainSocketAddress.of(path));
        ShimChannel launcher = ShimChannel.accept(server, path, SECOND, () -> true);
        assertFalse(Files.exists(path), "the socket file stays after the shim connected");
        return new Pair(launcher, shim);
    }

    private static void write(SocketChannel shim, String text) throws IOException {
        shim.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void linesComeWholeHoweverTheyArriveAndTheLastOneAtTheEnd() throws Exception {
        Pair p = connect();
        try (ShimChannel launcher = p.launcher(); SocketChannel shim = p.shim()) {
            write(shim, "SHIM 1");
            write(shim, "2\nPID 7\nSTA");
            assertEquals("SHIM 12", launcher.next(SECOND));
            assertEquals("PID 7", launcher.next(SECOND));
            write(shim, "RTED\n" + "x".repeat(5000) + "\nERROR 2 exec gone");
            assertEquals("STARTED", launcher.next(SECOND));
            assertEquals("x".repeat(5000), launcher.next(SECOND), "a line longer than the buffer");
            shim.close();
            assertEquals("ERROR 2 exec gone", launcher.next(SECOND), "a last line without its newline");
            assertNull(launcher.next(SECOND));
            assertNull(launcher.next(SECOND), "the end stays the end");
        }
    }

    @Test
    void aShimThatSaysNothingIsATimeoutThatSaysHowLong() throws Exception {
        Pair p = connect();
        try (ShimChannel launcher = p.launcher(); SocketChannel shim = p.shim()) {
            ShimException e = assertThrows(ShimException.class, () -> launcher.next(Duration.ofMillis(100)));
            assertTrue(e.getMessage().contains("did not answer within 100 ms"), e.getMessage());
        }
    }

    @Test
    void whatTheLauncherSendsArrivesAndAGoneShimIsFalse() throws Exception {
        Pair p = connect();
        try (ShimChannel launcher = p.launcher(); SocketChannel shim = p.shim()) {
            byte[] message = new byte[300_000];        // more than a socket buffer holds: written in parts
            message[message.length - 1] = 42;
            ByteBuffer in = ByteBuffer.allocate(message.length);
            Thread reader = new Thread(() -> {
                try {
                    while (in.hasRemaining() && shim.read(in) >= 0) {
                        // reading
                    }
                } catch (IOException e) {
                    // the test fails on what arrived, below
                }
            });
            reader.start();
            assertTrue(launcher.send(message, SECOND));
            reader.join(5000);
            assertEquals(message.length, in.position(), "bytes that arrived");
            assertEquals(42, in.get(message.length - 1));
            shim.close();
            assertFalse(launcher.send(new byte[300_000], SECOND), "a closed shim takes nothing");
        }
    }

    @Test
    void noShimConnectingIsAnErrorAndLeavesNoSocketFile() throws Exception {
        Path path = dir.resolve("t.sock");
        IOException e = assertThrows(IOException.class,
                () -> ShimChannel.accept(ShimChannel.listen(path), path, Duration.ofMillis(100), () -> true));
        assertTrue(e.getMessage().contains("did not connect within 100 ms"), e.getMessage());
        assertFalse(Files.exists(path));
    }

    @Test
    void aShimThatEndsBeforeItConnectsIsReportedAtOnceNotAtTheTimeout() throws Exception {
        Path path = dir.resolve("u.sock");
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> ShimChannel.accept(ShimChannel.listen(path), path, Duration.ofSeconds(30), () -> false));
        assertTrue(e.getMessage().contains("ended before it connected"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "waited for the timeout");
        assertFalse(Files.exists(path));
    }
}
