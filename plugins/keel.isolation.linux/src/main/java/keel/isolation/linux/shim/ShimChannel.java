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
            long end = System.nanoTime() + timeout.toNanos();
            for (SocketChannel accepted = server.accept(); ; accepted = server.accept()) {
                if (accepted != null) {
                    return new ShimChannel(accepted);
                }
                if (!alive.getAsBoolean()) {       // after the accept above: one that connected, then ended, is taken
                    throw new IOException("the shim ended before it connected");
                }
                if (!await(waiting, Math.min(end, System.nanoTime() + ALIVE_CHECK_MS * 1_000_000))) {
                    throw new IOException("the shim did not connect within " + timeout.toMillis() + " ms");
                }
            }
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
                    key.interestOps(SelectionKey.OP_WRITE);
                    boolean ready = await(selector, end);
                    key.interestOps(SelectionKey.OP_READ);
                    if (!ready) {
                        return false;
                    }
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
                } else if (n == 0 && !await(selector, end)) {
                    throw new ShimException(0, "launch", "the shim did not answer within "
                            + timeout.toMillis() + " ms");
                }
            }
        } catch (IOException e) {
            ended = true;                  // a reset connection ends the output as EOF does
            return takeLine();
        }
    }

    /**
     * Waits until what {@code selector} watches is ready or the {@link System#nanoTime} {@code end}
     * comes (or a wake-up); false only if {@code end} had come already: the caller tries again after
     * a true, and its next wait says when the time is up.
     */
    private static boolean await(Selector selector, long end) throws IOException {
        long left = end - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        return true;
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
