package keel.console.command;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What one run of a command has: its output streams and the way it is told to stop (the client
 * sent a signal or went away, or the console session was interrupted).
 */
public final class Invocation {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean outputIsTerminal;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile int signal;

    public Invocation(PrintStream out, PrintStream err, boolean outputIsTerminal) {
        this.out = out;
        this.err = err;
        this.outputIsTerminal = outputIsTerminal;
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

    /** The client received {@code signal}; by default that cancels the command. */
    public void signal(int signal) {
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
