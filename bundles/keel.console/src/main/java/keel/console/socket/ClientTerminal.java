package keel.console.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;

import keel.console.command.Terminal;
import keel.console.frames.Frame;
import keel.console.frames.FrameChannel;

/** The keel client's terminal and stdin, over the frame protocol (launcher/PROTOCOL.md). */
final class ClientTerminal implements Terminal {
    private final FrameChannel frames;
    private final Hello hello;
    private final PipedInputStream stdin = new PipedInputStream(64 * 1024);
    private final PipedOutputStream stdinWriter;
    private volatile boolean raw;

    ClientTerminal(FrameChannel frames, Hello hello) throws IOException {
        this.frames = frames;
        this.hello = hello;
        this.stdinWriter = new PipedOutputStream(stdin);
    }

    @Override
    public InputStream openStdin() {
        try {
            frames.write(Frame.OPEN_STDIN, new byte[0]);
        } catch (IOException e) {
            stdinClosed();
        }
        return stdin;
    }

    @Override
    public void raw(boolean on) {
        try {
            frames.write(Frame.RAW_MODE, new byte[] {(byte) (on ? '1' : '0')});
            raw = on;
        } catch (IOException e) {
            // the client is gone
        }
    }

    /** Leaves the client's terminal as the command found it. */
    void restore() {
        if (raw) {
            raw(false);
        }
    }

    @Override
    public boolean stdinIsTerminal() {
        return hello.stdinTty();
    }

    @Override
    public int rows() {
        return hello.rows();
    }

    @Override
    public int cols() {
        return hello.cols();
    }

    void stdinData(byte[] data) {
        try {
            stdinWriter.write(data);
            stdinWriter.flush();
        } catch (IOException e) {
            // nobody reads stdin any more
        }
    }

    void stdinClosed() {
        try {
            stdinWriter.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
