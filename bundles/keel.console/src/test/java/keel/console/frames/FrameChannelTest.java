package keel.console.frames;

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
}
