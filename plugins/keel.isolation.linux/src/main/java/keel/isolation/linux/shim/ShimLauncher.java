package keel.isolation.linux.shim;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Runs keel-shim for one process and goes through its handshake:
 *
 * <pre>
 *   Java                                  keel-shim
 *                              <--        (connects to the socket its command line names)
 *   message                    -->
 *                              <--        SHIM &lt;pid&gt;     (double-forked: not our child)
 *                              <--        PID &lt;pid&gt;      (born in its network namespace, nothing run yet)
 *   created.accept(pid): cgroup, network
 *   GO (or ABORT)              -->
 *   released.accept(pid)                  (its last steps: root, security, exec)
 *                              <--        STARTED, or ERROR &lt;errno&gt; &lt;stage&gt; &lt;message&gt;
 * </pre>
 *
 * The conversation is a unix socket ({@link ShimChannel}, bound in {@code socketDir} for the moment
 * the shim connects, then unlinked) that the launching thread reads itself. Each answer is awaited
 * a bounded time; a shim that dies or hangs is killed (by pid: its container follows it,
 * PR_SET_PDEATHSIG) and reported as a {@link ShimException}.
 * <p>
 * With a spare ({@link #withSpare}), one shim is started ahead and waits for its message, detached
 * and with a new network namespace made: a launch takes it, and once the container runs (or
 * failed), the next spare is started on a thread of its own, so that the exec of the shim, the
 * JDK's process set-up and that work are not part of a container's start. A spare has written
 * nothing and has no child (the namespace goes with it); when the launcher is closed, or the daemon
 * goes, its socket closes and it exits.
 */
public final class ShimLauncher implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicLong SOCKETS = new AtomicLong();

    private final Path shim;
    private final Path socketDir;
    private final Duration timeout;
    /** Starts the next spare; null without spares. */
    private final ExecutorService spares;
    private final Object spareLock = new Object();
    private Spawned spare;
    private boolean closed;

    /** @param socketDir a private directory (with a short path) for the sockets shims connect to */
    public ShimLauncher(Path shimBinary, Path socketDir) {
        this(shimBinary, socketDir, DEFAULT_TIMEOUT, false);
    }

    /** @param timeout how long each answer of the shim may take */
    public ShimLauncher(Path shimBinary, Path socketDir, Duration timeout) {
        this(shimBinary, socketDir, timeout, false);
    }

    private ShimLauncher(Path shimBinary, Path socketDir, Duration timeout, boolean keepSpare) {
        this.shim = shimBinary;
        this.socketDir = socketDir;
        this.timeout = timeout;
        this.spares = keepSpare ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keel-shim-spare");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /**
     * A launcher that keeps one shim started ahead, from its first launch on (not at once: a daemon's
     * boot does not share its two CPUs with a spare that no container may need).
     */
    public static ShimLauncher withSpare(Path shimBinary, Path socketDir) {
        return new ShimLauncher(shimBinary, socketDir, DEFAULT_TIMEOUT, true);
    }

    /** A started shim that has not been given its message yet. */
    private record Spawned(Process process, ShimChannel channel) {
    }

    /** {@link #launch(ShimMessage, IntConsumer, IntConsumer)} with nothing to do after GO. */
    public ShimResult launch(ShimMessage message, IntConsumer created) throws ShimException {
        return launch(message, created, pid -> { });
    }

    /**
     * Starts the process {@code message} describes. {@code created} runs between PID and GO; if
     * it throws, the shim is told ABORT (it kills the process and removes its state files) and
     * the exception is rethrown. {@code released} runs after GO, while the process makes its last
     * steps and before STARTED is awaited (work that overlaps them); if it throws, the shim is
     * killed (its process with it) and the exception is rethrown.
     */
    public ShimResult launch(ShimMessage message, IntConsumer created, IntConsumer released) throws ShimException {
        Spawned spawned = take();
        Process process = spawned.process();
        ShimChannel shimChannel = spawned.channel();
        long shimPid = -1;
        boolean done = false;
        try (shimChannel) {
            if (!shimChannel.send(message.encode(), timeout)) {
                throw failure(shimChannel.next(timeout), "the shim would not take the message");
            }
            shimPid = expect(shimChannel.next(timeout), "SHIM");
            int pid = (int) expect(shimChannel.next(timeout), "PID");
            try {
                created.accept(pid);
            } catch (RuntimeException | Error e) {
                shimChannel.send("ABORT\n".getBytes(StandardCharsets.US_ASCII), timeout);
                Ending ending = awaitEnd(shimChannel);
                done = ending.inTime();
                if (ending.error() != null) { // the process had failed already (making its root): the cause
                    ending.error().addSuppressed(e);
                    throw ending.error();
                }
                throw e;
            }
            if (!shimChannel.send("GO\n".getBytes(StandardCharsets.US_ASCII), timeout)) {
                throw failure(shimChannel.next(timeout), "the shim died before GO");
            }
            released.accept(pid);
            String line = shimChannel.next(timeout);
            if (!"STARTED".equals(line)) {
                throw failure(line, "no STARTED");
            }
            done = true;
            return new ShimResult(shimPid, pid);
        } catch (ShimException e) {
            done = e.errno() != 0;         // the shim reported it and cleans up after itself
            throw e;
        } finally {
            if (!done) {
                kill(shimPid);
                process.destroyForcibly();
            }
            if (spares != null) {
                refill(); // now: while the container starts, its set-up and the spare's would share the CPUs
            }
        }
    }

    /** How a shim's output ended after ABORT: within the timeout or not, and the last ERROR it reported (or null). */
    private record Ending(boolean inTime, ShimException error) {
    }

    /** Waits (bounded) until the shim closed its side (after ABORT: its cleanup is done). */
    private Ending awaitEnd(ShimChannel channel) {
        ShimException error = null;
        try {
            for (String line; (line = channel.next(timeout)) != null; ) {
                ShimException reported = ShimException.parse(line);
                error = reported != null ? reported : error;
            }
            return new Ending(true, error);
        } catch (ShimException e) {
            return new Ending(false, error);
        }
    }

    /** The spare if there is a live one, else a shim started now. */
    private Spawned take() throws ShimException {
        Spawned taken;
        synchronized (spareLock) {
            taken = spare;
            spare = null;
        }
        if (taken != null && taken.process().isAlive()) {
            return taken;
        }
        if (taken != null) {
            dismiss(taken);
        }
        return spawn();
    }

    private Spawned spawn() throws ShimException {
        Path socket = socketDir.resolve(ProcessHandle.current().pid() + "-" + SOCKETS.incrementAndGet() + ".sock");
        java.nio.channels.ServerSocketChannel server;
        try {
            server = ShimChannel.listen(socket);
        } catch (IOException | RuntimeException e) {
            throw new ShimException(0, "launch", "cannot make the socket " + socket + " for the shim: " + e.getMessage());
        }
        Process process;
        try {
            process = new ProcessBuilder(shim.toString(), socket.toString())
                    .redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
        } catch (IOException e) {
            closeQuietly(server, socket);
            throw new ShimException(0, "launch", "cannot run " + shim + ": " + e.getMessage());
        }
        try {
            return new Spawned(process, ShimChannel.accept(server, socket, timeout, process::isAlive));
        } catch (IOException e) {
            process.destroyForcibly();
            throw new ShimException(0, "launch", "starting " + shim + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(java.nio.channels.ServerSocketChannel server, Path socket) {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // a stale socket file is replaced by the next bind of its name
        }
    }

    /** Starts a spare in the background if there is none (and the launcher is open). */
    private void refill() {
        synchronized (spareLock) {
            if (closed) {
                return;
            }
            try {
                spares.execute(() -> {
                    synchronized (spareLock) {
                        if (closed || spare != null) {
                            return;
                        }
                    }
                    Spawned next;
                    try {
                        next = spawn();
                    } catch (ShimException e) {
                        return; // the next launch starts its own and reports why it cannot
                    }
                    synchronized (spareLock) {
                        if (!closed && spare == null) {
                            spare = next;
                            return;
                        }
                    }
                    dismiss(next);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    /** The pid of the shim waiting as the spare, or -1 (for tests). */
    long sparePid() {
        synchronized (spareLock) {
            return spare == null ? -1 : spare.process().pid();
        }
    }

    /** Ends the spare, if any; later launches start their shim themselves. */
    @Override
    public void close() {
        Spawned left;
        synchronized (spareLock) {
            closed = true;
            left = spare;
            spare = null;
        }
        if (spares != null) { // a spare started meanwhile sees the launcher closed and ends itself
            spares.shutdown();
            try {
                spares.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (left != null) {
            dismiss(left);
        }
    }

    /** A spare that will not be used: its socket closes (it exits at the end of its message), then it is made sure of. */
    private static void dismiss(Spawned unused) {
        unused.channel().close();
        try {
            if (!unused.process().waitFor(2, TimeUnit.SECONDS)) {
                unused.process().destroyForcibly();
            }
        } catch (InterruptedException e) {
            unused.process().destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The number after {@code word}, or the shim's ERROR as an exception. */
    private static long expect(String line, String word) throws ShimException {
        if (line != null && line.startsWith(word + " ")) {
            try {
                return Long.parseLong(line.substring(word.length() + 1));
            } catch (NumberFormatException e) {
                // falls through to the failure
            }
        }
        throw failure(line, "expected " + word);
    }

    private static ShimException failure(String line, String expected) {
        ShimException reported = line == null ? null : ShimException.parse(line);
        if (reported != null) {
            return reported;
        }
        return new ShimException(0, "launch",
                expected + ", got " + (line == null ? "the end of its output (it died)" : "'" + line + "'"));
    }

    private static void kill(long pid) {
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
