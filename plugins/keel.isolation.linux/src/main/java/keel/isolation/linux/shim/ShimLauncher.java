package keel.isolation.linux.shim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Runs keel-shim for one process and goes through its handshake:
 *
 * <pre>
 *   Java                                  keel-shim
 *   message (stdin)            -->
 *                              <--        SHIM &lt;pid&gt;     (double-forked: not our child)
 *                              <--        PID &lt;pid&gt;      (namespaces made, nothing run yet)
 *   created.accept(pid): cgroup, network
 *   GO (or ABORT)              -->
 *                              <--        STARTED, or ERROR &lt;errno&gt; &lt;stage&gt; &lt;message&gt;
 * </pre>
 *
 * Each answer is awaited a bounded time; a shim that dies or hangs is killed (by pid: its
 * container follows it, PR_SET_PDEATHSIG) and reported as a {@link ShimException}.
 * <p>
 * With a spare ({@link #withSpare}), one shim is started ahead and waits for its message: a launch
 * takes it, and once the container runs (or failed), the next spare is started on a thread of its
 * own, so that the exec of the shim and the JDK's process set-up are not part of a container's start. A spare holds no state: it has
 * written nothing and has no child; when the launcher is closed, or the daemon goes, its stdin
 * closes and it exits.
 */
public final class ShimLauncher implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Path shim;
    private final Duration timeout;
    /** Starts the next spare; null without spares. */
    private final ExecutorService spares;
    private final Object spareLock = new Object();
    private Spawned spare;
    private boolean closed;

    public ShimLauncher(Path shimBinary) {
        this(shimBinary, DEFAULT_TIMEOUT, false);
    }

    /** @param timeout how long each answer of the shim may take */
    public ShimLauncher(Path shimBinary, Duration timeout) {
        this(shimBinary, timeout, false);
    }

    private ShimLauncher(Path shimBinary, Duration timeout, boolean keepSpare) {
        this.shim = shimBinary;
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
    public static ShimLauncher withSpare(Path shimBinary) {
        return new ShimLauncher(shimBinary, DEFAULT_TIMEOUT, true);
    }

    /** A started shim that has not been given its message yet. */
    private record Spawned(Process process, Lines lines) {
    }

    /**
     * Starts the process {@code message} describes. {@code created} runs between PID and GO; if
     * it throws, the shim is told ABORT (it kills the process and removes its state files) and
     * the exception is rethrown.
     */
    public ShimResult launch(ShimMessage message, IntConsumer created) throws ShimException {
        Spawned spawned = take();
        Process process = spawned.process();
        Lines lines = spawned.lines();
        long shimPid = -1;
        boolean done = false;
        try (OutputStream toShim = process.getOutputStream()) {
            if (!send(toShim, message.encode())) {
                throw failure(lines.next(), "the shim would not take the message");
            }
            shimPid = expect(lines.next(), "SHIM");
            int pid = (int) expect(lines.next(), "PID");
            try {
                created.accept(pid);
            } catch (RuntimeException | Error e) {
                send(toShim, "ABORT\n".getBytes(StandardCharsets.US_ASCII));
                done = lines.awaitEnd();
                ShimException reported = lines.error();
                if (reported != null) { // the process had failed already (making its root): the cause
                    reported.addSuppressed(e);
                    throw reported;
                }
                throw e;
            }
            if (!send(toShim, "GO\n".getBytes(StandardCharsets.US_ASCII))) {
                throw failure(lines.next(), "the shim died before GO");
            }
            String line = lines.next();
            if (!"STARTED".equals(line)) {
                throw failure(line, "no STARTED");
            }
            done = true;
            return new ShimResult(shimPid, pid);
        } catch (ShimException e) {
            done = e.errno() != 0;         // the shim reported it and cleans up after itself
            throw e;
        } catch (IOException e) {
            throw new ShimException(0, "launch", "talking to the shim: " + e.getMessage());
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
            taken.process().destroyForcibly();
        }
        return spawn();
    }

    private Spawned spawn() throws ShimException {
        Process process;
        try {
            process = new ProcessBuilder(shim.toString()).redirectError(Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new ShimException(0, "launch", "cannot run " + shim + ": " + e.getMessage());
        }
        return new Spawned(process, new Lines(process.getInputStream(), "keel-shim-" + process.pid()));
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

    /** A spare that will not be used: its stdin closes (it exits at the end of its message), then it is made sure of. */
    private static void dismiss(Spawned unused) {
        try {
            unused.process().getOutputStream().close();
        } catch (IOException e) {
            // it is gone already
        }
        try {
            if (!unused.process().waitFor(2, TimeUnit.SECONDS)) {
                unused.process().destroyForcibly();
            }
        } catch (InterruptedException e) {
            unused.process().destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static boolean send(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;                  // it exited: its last line says why
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

    /** The shim's stdout, line by line, read on a thread so that every wait is bounded. */
    private final class Lines {
        private final BlockingQueue<Optional<String>> queue = new LinkedBlockingQueue<>();
        private ShimException error;

        Lines(InputStream in, String name) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        queue.add(Optional.of(line));
                    }
                } catch (IOException e) {
                    // the end, as EOF
                }
                queue.add(Optional.empty());
            }, name);
            reader.setDaemon(true);
            reader.start();
        }

        /** The next line, or null at the end of the output. */
        String next() throws ShimException {
            try {
                Optional<String> line = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new ShimException(0, "launch", "the shim did not answer within " + timeout.toMillis() + " ms");
                }
                if (line.isEmpty()) {
                    queue.add(line);       // stays at the end
                }
                return line.orElse(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShimException(0, "launch", "interrupted while waiting for the shim");
            }
        }

        /**
         * Waits (bounded) until the shim closed its output (after ABORT: its cleanup is done); false on
         * timeout. An error it reported meanwhile is then {@link #error}.
         */
        boolean awaitEnd() {
            try {
                for (String line; (line = next()) != null; ) {
                    ShimException reported = ShimException.parse(line);
                    error = reported != null ? reported : error;
                }
                return true;
            } catch (ShimException e) {
                return false;
            }
        }

        /** The last ERROR line {@link #awaitEnd} read, or null. */
        ShimException error() {
            return error;
        }
    }
}
