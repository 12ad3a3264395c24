package keel.console.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameChannelTest {
    @TempDir
    Path dir;

    /** A connected pair of unix stream channels. */
    private SocketChannel[] pair() throws IOException {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
            return new SocketChannel[] {client, server.accept()};
        }
    }

    @Test
    void framesRoundTripAndTheEndOfStreamIsNull() throws Exception {
        SocketChannel[] p = pair();
        try (FrameChannel a = new FrameChannel(p[0]); FrameChannel b = new FrameChannel(p[1])) {
            a.write(Frame.STDOUT, "hello".getBytes(StandardCharsets.UTF_8));
            a.write(Frame.EXIT, Frame.intBytes(130));
            Frame out = b.read();
            assertEquals(Frame.STDOUT, out.type());
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), out.payload());
            assertEquals(130, b.read().intPayload());
            p[0].close();
            assertNull(b.read());
        }
    }

    @Test
    void anOversizeFrameIsAProtocolError() throws Exception {
        SocketChannel[] p = pair();
        try (FrameChannel b = new FrameChannel(p[1])) {
            p[0].write(ByteBuffer.allocate(5).put((byte) 'O').putInt(Frame.MAX_PAYLOAD + 1).flip());
            IOException e = assertThrows(IOException.class, b::read);
            assertTrue(e.getMessage().contains("protocol error"), e.getMessage());
            p[0].close();
        }
    }

    @Test
    void theHelloCarriesTheTerminalAndTheArguments() throws Exception {
        byte[] payload = "keel/1\0/root\0001\0000\00024\00080\0run\0-it\0busybox\0".getBytes(StandardCharsets.UTF_8);
        Hello hello = Hello.parse(new Frame(Frame.HELLO, payload));
        assertEquals("/root", hello.cwd());
        assertTrue(hello.stdinTty());
        assertEquals(24, hello.rows());
        assertEquals(80, hello.cols());
        assertEquals(List.of("run", "-it", "busybox"), hello.args());
        assertThrows(IOException.class, () -> Hello.parse(new Frame(Frame.HELLO,
                "keel/9\0/\0000\0000\0000\0000\0".getBytes(StandardCharsets.UTF_8))));
        assertThrows(IOException.class, () -> Hello.parse(new Frame(Frame.STDIN, new byte[0])));
    }
}
