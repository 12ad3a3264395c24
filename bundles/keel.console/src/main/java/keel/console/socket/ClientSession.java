package keel.console.socket;

import keel.console.frames.Frame;
import keel.console.frames.FrameChannel;
import keel.console.frames.FrameOutputStream;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.console.command.CommandLine;
import keel.console.command.Invocation;

/**
 * One connection of the {@code keel} client: read its hello, run the command with stdout and
 * stderr relayed as frames, relay the client's signals to the command, send the exit code.
 */
final class ClientSession implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final FrameChannel frames;
    private final CommandLine commandLine;

    ClientSession(SocketChannel channel, CommandLine commandLine) {
        this.frames = new FrameChannel(channel);
        this.commandLine = commandLine;
    }

    @Override
    public void run() {
        try (frames) {
            Hello hello = Hello.parse(frames.read());
            PrintStream out = new PrintStream(new FrameOutputStream(frames, Frame.STDOUT), false,
                    StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new FrameOutputStream(frames, Frame.STDERR), true,
                    StandardCharsets.UTF_8);
            ClientTerminal terminal = new ClientTerminal(frames, hello);
            Invocation io = new Invocation(out, err, hello.stdoutTty(), terminal,
                    java.nio.file.Path.of(hello.cwd().isEmpty() ? "/" : hello.cwd()));
            Thread reader = new Thread(() -> readClient(io, terminal), "keel-client-reader");
            reader.setDaemon(true);
            reader.start();
            int code;
            try {
                code = commandLine.execute(hello.args(), io);
            } finally {
                terminal.restore();
            }
            out.flush();
            err.flush();
            frames.write(Frame.EXIT, Frame.intBytes(code));
        } catch (IOException e) {
            LOG.debug("client connection ended: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("client session failed", e);
        } catch (Error e) { // else it ends the session's thread unseen (the daemon's stderr is /dev/null)
            LOG.error("client session failed", e);
            throw e;
        }
    }

    /** Relays what the client sends after its hello; the end of the stream cancels the command. */
    private void readClient(Invocation io, ClientTerminal terminal) {
        try {
            for (Frame frame = frames.read(); frame != null; frame = frames.read()) {
                byte[] p = frame.payload();
                switch (frame.type()) {
                    case Frame.SIGNAL -> {
                        if (p.length == 4) {
                            io.signal(frame.intPayload());
                        }
                    }
                    case Frame.STDIN -> terminal.stdinData(p);
                    case Frame.STDIN_CLOSED -> terminal.stdinClosed();
                    case Frame.WINDOW -> {
                        if (p.length == 4) {
                            io.resized(((p[0] & 0xff) << 8) | (p[1] & 0xff), ((p[2] & 0xff) << 8) | (p[3] & 0xff));
                        }
                    }
                    default -> LOG.debug("ignored a client frame '{}'", (char) frame.type());
                }
            }
        } catch (IOException e) {
            LOG.debug("client reader ended: {}", e.getMessage());
        }
        terminal.stdinClosed();
        io.cancel();
    }
}
