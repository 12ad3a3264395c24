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
 */
public final class ShimLauncher {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Path shim;
    private final Duration timeout;

    public ShimLauncher(Path shimBinary) {
        this(shimBinary, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long each answer of the shim may take */
    public ShimLauncher(Path shimBinary, Duration timeout) {
        this.shim = shimBinary;
        this.timeout = timeout;
    }

    /**
     * Starts the process {@code message} describes. {@code created} runs between PID and GO; if
     * it throws, the shim is told ABORT (it kills the process and removes its state files) and
     * the exception is rethrown.
     */
    public ShimResult launch(ShimMessage message, IntConsumer created) throws ShimException {
        Process process;
        try {
            process = new ProcessBuilder(shim.toString()).redirectError(Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new ShimException(0, "launch", "cannot run " + shim + ": " + e.getMessage());
        }
        Lines lines = new Lines(process.getInputStream(), "keel-shim-" + process.pid());
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

        /** Waits (bounded) until the shim closed its output (after ABORT: its cleanup is done); false on timeout. */
        boolean awaitEnd() {
            try {
                while (next() != null) {
                    // skip
                }
                return true;
            } catch (ShimException e) {
                return false;
            }
        }
    }
}
