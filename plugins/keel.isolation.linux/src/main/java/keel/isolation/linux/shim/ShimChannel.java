package keel.isolation.linux.shim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The conversation with one keel-shim: a unix socket the shim connected to when it started (its
 * stdin and stdout from then on), bytes out and lines in, every wait bounded. The launch that
 * waits for an answer reads it itself: no reader thread stands between the shim's line and the
 * thread that acts on it (each such hand-over was a wake-up on the path of every start).
 */
final class ShimChannel implements AutoCloseable {
    /** How often a wait for a shim's connection looks whether its process is still there. */
    static final long ALIVE_CHECK_MS = 50;
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    /** Bytes read and not yet returned as lines, in [0, position). */
    private ByteBuffer in = ByteBuffer.allocate(1024);
    private boolean ended;

    private ShimChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, SelectionKey.OP_READ);
    }

    /** A socket a shim can be told to connect to: bound at {@code path} (a stale file there is replaced). */
    static ServerSocketChannel listen(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The channel of the shim that connects to {@code server} within {@code timeout}, while
     * {@code alive} says its process is there (looked at every {@link #ALIVE_CHECK_MS}: a shim that
     * died before it connected is reported then, not at the timeout); the server is closed and its
     * socket file removed either way (one shim per socket).
     */
    static ShimChannel accept(ServerSocketChannel server, Path path, Duration timeout, BooleanSupplier alive)
            throws IOException {
        try (server; Selector waiting = Selector.open()) {
            server.configureBlocking(false);
            server.register(waiting, SelectionKey.OP_ACCEPT);
            SocketChannel accepted = null;
            for (long end = System.nanoTime() + timeout.toNanos(); accepted == null; ) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("the shim did not connect within " + timeout.toMillis() + " ms");
                }
                int ready = waiting.select(Math.min(ALIVE_CHECK_MS, Math.max(1, left / 1_000_000)));
                if (ready == 0 && !alive.getAsBoolean()) {
                    accepted = server.accept();    // it may have connected just before it ended
                    if (accepted == null) {
                        throw new IOException("the shim ended before it connected");
                    }
                    break;
                }
                waiting.selectedKeys().clear();
                accepted = server.accept();
            }
            return new ShimChannel(accepted);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** Writes all of {@code bytes}; false if the shim is gone (its last line says why). */
    boolean send(byte[] bytes, Duration timeout) {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    key.interestOps(SelectionKey.OP_WRITE);
                    selector.select(Math.max(1, left / 1_000_000));
                    selector.selectedKeys().clear();
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The next line (without its newline), or null at the end of the shim's output.
     *
     * @throws ShimException if no line came within {@code timeout}
     */
    String next(Duration timeout) throws ShimException {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = takeLine();
                if (line != null || ended) {
                    return line;
                }
                if (!in.hasRemaining()) {
                    in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                }
                int n = channel.read(in);
                if (n < 0) {
                    ended = true;
                } else if (n == 0) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        throw new ShimException(0, "launch", "the shim did not answer within "
                                + timeout.toMillis() + " ms");
                    }
                    selector.select(Math.max(1, left / 1_000_000));
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException e) {
            ended = true;                  // a reset connection ends the output as EOF does
            return takeLine();
        }
    }

    /** A whole line from the buffer; at the end, what is left without a newline. */
    private String takeLine() {
        for (int i = 0; i < in.position(); i++) {
            if (in.get(i) == '\n') {
                String line = new String(in.array(), 0, i, StandardCharsets.UTF_8);
                in.flip().position(i + 1);
                in.compact();
                return line;
            }
        }
        if (ended && in.position() > 0) {
            String rest = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
            in.clear();
            return rest;
        }
        return null;
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing held
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closed
        }
    }
}
