package keel.console.commands;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import keel.api.container.Attach;
import keel.console.command.Invocation;
import keel.console.command.Terminal;
import keel.console.frames.Frame;
import keel.console.frames.FrameChannel;

/**
 * Relays a container's attach socket to the command's client: its stdout and stderr out, the
 * client's stdin and terminal size in, and its exit code back. Connects when the kernel calls
 * {@link #attach} (before the container's command runs, so nothing is lost).
 */
final class AttachRelay implements Attach, AutoCloseable {
    private final Invocation io;
    private final boolean tty;
    private final boolean stdin;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile FrameChannel channel;

    AttachRelay(Invocation io, boolean tty, boolean stdin) {
        this.io = io;
        this.tty = tty;
        this.stdin = stdin;
    }

    @Override
    public void attach(Path socket) throws IOException {
        FrameChannel frames = new FrameChannel(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        channel = frames;
        Thread output = new Thread(() -> relayOutput(frames), "keel-attach-output");
        output.setDaemon(true);
        output.start();
        Terminal terminal = io.terminal().orElse(null);
        if (tty && terminal != null) {
            if (terminal.rows() > 0) {
                frames.write(Frame.WINDOW, size(terminal.rows(), terminal.cols()));
            }
            io.onResize((rows, cols) -> {
                try {
                    frames.write(Frame.WINDOW, size(rows, cols));
                } catch (IOException e) {
                    // the container is gone
                }
            });
        }
        if (stdin && terminal != null) {
            if (tty && terminal.stdinIsTerminal()) {
                terminal.raw(true);
            }
            InputStream in = terminal.openStdin();
            Thread input = new Thread(() -> relayInput(in, frames), "keel-attach-input");
            input.setDaemon(true);
            input.start();
        }
    }

    private void relayOutput(FrameChannel frames) {
        try {
            for (Frame frame = frames.read(); frame != null; frame = frames.read()) {
                switch (frame.type()) {
                    case Frame.STDOUT -> {
                        io.out().write(frame.payload());
                        io.out().flush();
                    }
                    case Frame.STDERR -> {
                        io.err().write(frame.payload());
                        io.err().flush();
                    }
                    case Frame.EXIT -> {
                        exit.complete(frame.intPayload());
                        return;
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            // the supervisor closed the socket
        }
        exit.complete(-1);
    }

    private static void relayInput(InputStream in, FrameChannel frames) {
        byte[] buffer = new byte[32 * 1024];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                frames.write(Frame.STDIN, buffer, 0, n);
            }
            frames.write(Frame.STDIN_CLOSED, new byte[0]);
        } catch (IOException e) {
            // the container or the client is gone
        }
    }

    /**
     * The container's exit code once its output is all relayed, or -1 if the supervisor went away
     * without one (the caller then asks the kernel).
     */
    int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return -1;
        }
    }

    /** Waits a little for the exit frame; for cleanup after the container was stopped otherwise. */
    int awaitExit(long millis) throws InterruptedException {
        try {
            return exit.get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return -1;
        }
    }

    private static byte[] size(int rows, int cols) {
        return new byte[] {(byte) (rows >> 8), (byte) rows, (byte) (cols >> 8), (byte) cols};
    }

    @Override
    public void close() throws IOException {
        FrameChannel frames = channel;
        if (frames != null) {
            frames.close();
        }
    }
}
