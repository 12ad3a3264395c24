package keel.cgroup.testsuite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Processes a test starts: {@code sh -c SCRIPT} that waits for a line on stdin before doing its
 * work (so the test can move it into a cgroup first). {@link #close()} kills each one it started,
 * by pid, with its descendants.
 */
public final class Procs implements AutoCloseable {
    /** Waits for "go", then runs the rest: prefix every script with this. */
    public static final String WAIT = "read go; ";

    private final List<Process> started = new ArrayList<>();

    /** Starts {@code sh -c script sh args...}; stderr goes to stdout. */
    public Process start(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    /** Lets a process started with {@link #WAIT} go on. */
    public static void go(Process process) {
        try {
            OutputStream in = process.getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write to pid " + process.pid(), e);
        }
    }

    /** Waits for the process to end (at most {@code seconds}) and returns everything it printed. */
    public static String finish(Process process, int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("pid " + process.pid() + " did not end within " + seconds + " s");
            }
            // A descendant left running may still hold the output pipe open: read for a bounded time.
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process));
            return new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (TimeoutException e) {
            throw new AssertionError("pid " + process.pid() + " ended, but a process it left behind still holds its "
                    + "output open (redirect the output of background children)");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(Process process) {
        try {
            return process.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one line of the process's output, byte by byte (so nothing after it is buffered away). */
    public static String readLine(Process process) {
        StringBuilder line = new StringBuilder();
        try {
            for (int c = process.getInputStream().read(); c >= 0 && c != '\n'; c = process.getInputStream().read()) {
                line.append((char) c);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return line.toString();
    }

    /** Counts the numbers a process prints, one per line, in a daemon thread; the latest is returned. */
    public static AtomicLong counter(Process process) {
        AtomicLong latest = new AtomicLong(-1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    try {
                        latest.set(Long.parseLong(line.strip()));
                    } catch (NumberFormatException ignored) {
                        // not a counter line
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "counter-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return latest;
    }

    /** Polls {@code condition} every 10 ms for at most {@code millis}; false when it never held. */
    public static boolean await(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills every process this object started, and their descendants, by pid. */
    @Override
    public void close() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }
}
