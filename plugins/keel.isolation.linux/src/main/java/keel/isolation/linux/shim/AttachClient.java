package keel.isolation.linux.shim;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A client of keel-shim's {@code attach.sock}. Frames both ways are {@code type u8, length u32
 * big-endian, payload}: from the shim 'O' stdout, 'E' stderr, 'X' the exit code; to the shim 'I'
 * stdin, 'C' stdin closed, 'W' rows and columns of the terminal.
 *
 * <p>One thread calls {@link #copyOutput}; others may send stdin and resizes meanwhile. The shim
 * drops an attacher that stops reading (more than 1 MiB waiting), so read steadily.
 */
public final class AttachClient implements Closeable {

    /** The largest frame the shim accepts. */
    public static final int FRAME_MAX = 64 * 1024;

    private final SocketChannel channel;   // read and written directly: separate locks, no stalls

    private AttachClient(SocketChannel channel) {
        this.channel = channel;
    }

    public static AttachClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new AttachClient(channel);
    }

    /** Bytes for the process's stdin (discarded by the shim unless it was started with OPEN_STDIN). */
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        for (int done = 0; done < length; ) {
            int n = Math.min(FRAME_MAX, length - done);
            frame('I', ByteBuffer.wrap(bytes, offset + done, n));
            done += n;
        }
    }

    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /** Ends the process's stdin (a terminal has no end of input: ignored with TTY). */
    public synchronized void closeStdin() throws IOException {
        frame('C', ByteBuffer.allocate(0));
    }

    /** The terminal's size (with TTY). */
    public synchronized void resize(int rows, int columns) throws IOException {
        frame('W', ByteBuffer.allocate(4).putShort((short) rows).putShort((short) columns).flip());
    }

    /**
     * Copies stdout and stderr until the process ends and returns its exit code (128 + signal if
     * it was killed).
     *
     * @throws EOFException if the shim closed the socket without an exit code: it was killed, or
     *         it dropped this client for not reading
     */
    public int copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5);
        for (;;) {
            readFully(header.clear());
            byte type = header.get(0);
            int length = header.getInt(1);
            if (length < 0 || length > 16 * 1024 * 1024) {
                throw new IOException("attach: a frame of " + length + " bytes");
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(payload);
            switch (type) {
                case 'O' -> copy(payload, stdout);
                case 'E' -> copy(payload, stderr);
                case 'X' -> {
                    if (length != 4) {
                        throw new IOException("attach: an exit frame of " + length + " bytes");
                    }
                    return payload.getInt(0);
                }
                default -> throw new IOException("attach: unknown frame type " + (type & 0xff));
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void frame(char type, ByteBuffer payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5).put((byte) type).putInt(payload.remaining()).flip();
        while (header.hasRemaining()) {
            channel.write(header);
        }
        while (payload.hasRemaining()) {
            channel.write(payload);
        }
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("keel-shim closed the attach socket without an exit code");
            }
        }
    }

    private static void copy(ByteBuffer payload, OutputStream out) throws IOException {
        if (out != null) {
            out.write(payload.array(), 0, payload.limit());
            out.flush();
        }
    }
}
