package keel.console.frames;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Reads and writes frames on a blocking socket channel. Reading and writing are independent (one
 * reader thread, writers serialised here), so a command can write while the client's signals
 * arrive. (Not through Channels.newInputStream: its streams share one lock and would deadlock.)
 */
public final class FrameChannel implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(5);
    private final Object writeLock = new Object();

    public FrameChannel(SocketChannel channel) {
        this.channel = channel;
    }

    /** The next frame, or null at the end of the stream. */
    public Frame read() throws IOException {
        header.clear();
        if (!fill(header)) {
            return null;
        }
        header.flip();
        byte type = header.get();
        int length = header.getInt();
        if (length < 0 || length > Frame.MAX_PAYLOAD) {
            throw new IOException("protocol error: frame '" + (char) type + "' of " + length + " bytes");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (!fill(payload)) {
            throw new EOFException("connection closed inside a frame");
        }
        return new Frame(type, payload.array());
    }

    public void write(byte type, byte[] payload, int offset, int length) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put(type).putInt(length).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, offset, length);
        synchronized (writeLock) {
            while (head.hasRemaining() || body.hasRemaining()) {
                channel.write(new ByteBuffer[] {head, body});
            }
        }
    }

    public void write(byte type, byte[] payload) throws IOException {
        write(type, payload, 0, payload.length);
    }

    private boolean fill(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed inside a frame");
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
