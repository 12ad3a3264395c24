package keel.console.command;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * What one run of a command has: its output streams and the way it is told to stop (the client
 * sent a signal or went away, or the console session was interrupted).
 */
public final class Invocation {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean outputIsTerminal;
    private final Terminal terminal;
    private final java.nio.file.Path cwd;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile int signal;
    private volatile IntConsumer signalHandler;
    private volatile ResizeHandler resizeHandler;

    /** Receives the client's new terminal size. */
    public interface ResizeHandler {
        void resized(int rows, int cols);
    }

    public Invocation(PrintStream out, PrintStream err, boolean outputIsTerminal) {
        this(out, err, outputIsTerminal, null);
    }

    public Invocation(PrintStream out, PrintStream err, boolean outputIsTerminal, Terminal terminal) {
        this(out, err, outputIsTerminal, terminal, java.nio.file.Path.of("").toAbsolutePath());
    }

    public Invocation(PrintStream out, PrintStream err, boolean outputIsTerminal, Terminal terminal,
            java.nio.file.Path cwd) {
        this.out = out;
        this.err = err;
        this.outputIsTerminal = outputIsTerminal;
        this.terminal = terminal;
        this.cwd = cwd;
    }

    /** The caller's working directory: relative paths in arguments are relative to it. */
    public java.nio.file.Path cwd() {
        return cwd;
    }

    /** The client's terminal and stdin, when the command runs for the keel client. */
    public Optional<Terminal> terminal() {
        return Optional.ofNullable(terminal);
    }

    /** Handles the client's signals instead of cancelling (e.g. to forward them to a container). */
    public void onSignal(IntConsumer handler) {
        this.signalHandler = handler;
    }

    public void onResize(ResizeHandler handler) {
        this.resizeHandler = handler;
    }

    /** The client's terminal changed size. */
    public void resized(int rows, int cols) {
        ResizeHandler handler = resizeHandler;
        if (handler != null) {
            handler.resized(rows, cols);
        }
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public boolean outputIsTerminal() {
        return outputIsTerminal;
    }

    /** The client received {@code signal}; unless a handler takes it, that cancels the command. */
    public void signal(int signal) {
        IntConsumer handler = signalHandler;
        if (handler != null) {
            handler.accept(signal);
            return;
        }
        this.signal = signal;
        cancelled.countDown();
    }

    /** The client went away. */
    public void cancel() {
        cancelled.countDown();
    }

    public boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    /** Blocks until cancelled, or {@code millis} pass; returns whether cancelled. */
    public boolean awaitCancel(long millis) throws InterruptedException {
        return cancelled.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The exit code for a command that ended because it was cancelled: 128 + signal, as a shell shows. */
    public int cancelledExitCode() {
        return signal == 0 ? 0 : 128 + signal;
    }
}
