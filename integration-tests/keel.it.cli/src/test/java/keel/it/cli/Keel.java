package keel.it.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built {@code keel} client against a daemon of its own root and run directories (under
 * target/), and stops that daemon by its pid afterwards.
 */
final class Keel implements AutoCloseable {
    static final Path DIST = Path.of(System.getProperty("keel.dist"));
    static final Path CLIENT = DIST.resolve("bin/keel");

    /** What one command gave back. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    final Path root;
    final Path run;

    Keel(String name) throws IOException {
        Path base = Path.of(System.getProperty("keel.it.tmp")).resolve(name);
        this.root = base.resolve("root");
        this.run = base.resolve("run");
        Files.createDirectories(base);
    }

    /** {@code keel --root R --run R ARGS...} as root. */
    Result keel(String... args) throws IOException, InterruptedException {
        return exec(command(List.of(args)));
    }

    List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(CLIENT.toString(), "--root", root.toString(), "--run",
                run.toString()));
        command.addAll(args);
        return command;
    }

    /**
     * The cgroup parent of the daemons these tests start (through the client's autostart, which
     * passes KEEL_JVM_OPTS on): their own, removed when each daemon stops, so nothing is left.
     */
    static final String CGROUP_PARENT = "keel-it-" + ProcessHandle.current().pid();

    static ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("KEEL_JVM_OPTS", "-Dkeel.cgroup.parent=" + CGROUP_PARENT);
        return builder;
    }

    /** {@code keel --root R --run R ARGS...} as root, with {@code stdin} as its standard input. */
    Result keelWithInput(Path stdin, String... args) throws IOException, InterruptedException {
        return exec(command(List.of(args)), stdin);
    }

    static Result exec(List<String> command) throws IOException, InterruptedException {
        return exec(command, Path.of("/dev/null"));
    }

    static Result exec(List<String> command, Path stdin) throws IOException, InterruptedException {
        Process p = builder(command).redirectInput(ProcessBuilder.Redirect.from(stdin.toFile())).start();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        byte[][] captured = new byte[2][];
        Thread errReader = new Thread(() -> {
            try {
                captured[1] = err.readAllBytes();
            } catch (IOException e) {
                captured[1] = new byte[0];
            }
        });
        errReader.start();
        captured[0] = out.readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("hung: " + command);
        }
        errReader.join();
        return new Result(p.exitValue(), new String(captured[0], StandardCharsets.UTF_8),
                new String(captured[1], StandardCharsets.UTF_8));
    }

    /** Makes a busybox root filesystem at {@code dir} with the benchmarks' script (Debian's busybox-static). */
    static void busyboxRootfs(Path dir) throws IOException, InterruptedException {
        Result made = exec(List.of("bash", DIST.resolve("../../../bench/busybox-rootfs.sh").normalize().toString(),
                dir.toString()));
        if (made.code() != 0) {
            throw new AssertionError("cannot make a busybox rootfs at " + dir + ": " + made);
        }
    }

    /** The sha256 of a file, in hex. */
    static String sha256(Path file) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                sha.update(buffer, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    /** Removes a test's directory left by an earlier run of the suite (not crossing into mounts). */
    static void deleteTree(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            Result rm = exec(List.of("rm", "-rf", "--one-file-system", dir.toString()));
            if (rm.code() != 0) {
                throw new AssertionError("cannot clean " + dir + ": " + rm);
            }
        }
    }

    /** The pid of the daemon that serves this run directory, or -1. */
    long daemonPid() throws IOException {
        Path pid = run.resolve("keel.pid");
        if (!Files.exists(pid)) {
            return -1;
        }
        long value = Long.parseLong(Files.readString(pid).trim());
        return ProcessHandle.of(value).filter(ProcessHandle::isAlive).isPresent() ? value : -1;
    }

    /** Stops this test's daemon, by its pid, if one runs. */
    @Override
    public void close() throws IOException, InterruptedException {
        long pid = daemonPid();
        if (pid > 0) {
            ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
            handle.destroy();
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        removeCgroupParent();
    }

    /** Removes this test run's (empty) cgroup parent from every v1 hierarchy; fails if one is not empty. */
    static void removeCgroupParent() throws IOException {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve(CGROUP_PARENT);
                if (Files.isDirectory(parent) && !Files.isSymbolicLink(hierarchy)) {
                    Files.delete(parent); // rmdir: fails, and so the test, if a container's cgroup is left
                }
            }
        }
    }
}
