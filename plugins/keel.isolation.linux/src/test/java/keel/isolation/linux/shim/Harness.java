package keel.isolation.linux.shim;

import static keel.isolation.linux.shim.LinuxAbi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import keel.api.isolation.ExitStatus;

/**
 * One test's containers: a temporary directory with a busybox rootfs and state directories, the
 * shim built by this module, and a record of every process started. {@link #close} kills what is
 * left (only those pids) and fails the test if anything was left: a process, or a mount under
 * the directory in the host's mount table.
 */
final class Harness implements AutoCloseable {

    static final Path SHIM = Path.of("target/classes/native/keel-shim").toAbsolutePath();

    /** Docker's default capabilities. */
    static final long DOCKER_CAPS = LinuxAbi.capabilities(List.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER",
            "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
            "AUDIT_WRITE"));

    static final int ALL_NAMESPACES =
            CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;

    final Path dir;
    final Path rootfs;
    final ShimLauncher launcher;
    private final List<Long> pids = new ArrayList<>();

    Harness() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("keel-shim-test-");
        launcher = new ShimLauncher(SHIM, dir, Duration.ofSeconds(20));   // its sockets in the test's directory
        rootfs = dir.resolve("rootfs");
        Busybox.createRootfs(rootfs);
    }

    /** A new state directory (holding log.json too). */
    Path state(String name) throws IOException {
        return Files.createDirectories(dir.resolve("state-" + name));
    }

    /** Docker-like defaults: the usual mounts, masked and read-only paths, devices, all namespaces. */
    ShimMessage container(Path state, String... args) {
        return container(state, rootfs, args);
    }

    /** The same on another root directory (e.g. where a ROOTFS_MOUNT goes). */
    ShimMessage container(Path state, Path root, String... args) {
        ShimMessage m = new ShimMessage().mode(ShimMessage.Mode.RUN).id("test").rootfs(root.toString())
                .mount(MS_NOSUID | MS_NOEXEC | MS_NODEV, "/proc", "proc", "proc", "")
                .mount(MS_NOSUID | MS_STRICTATIME, "/dev", "tmpfs", "tmpfs", "mode=755,size=65536k")
                .mount(MS_NOSUID | MS_NOEXEC, "/dev/pts", "devpts", "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5")
                .mount(MS_NOSUID | MS_NODEV | MS_NOEXEC, "/dev/shm", "tmpfs", "shm", "mode=1777,size=65536k")
                .mount(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "/sys", "sysfs", "sysfs", "");
        for (String p : List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap")) {
            m.mask(p);
        }
        for (String p : List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")) {
            m.readonly(p);
        }
        int[][] devices = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 } };
        String[] names = { "null", "zero", "full", "random", "urandom", "tty" };
        for (int i = 0; i < names.length; i++) {
            m.device("/dev/" + names[i], 'c', devices[i][0], devices[i][1], 0666, 0, 0);
        }
        return m.hostname("keeltest").args(List.of(args))
                .env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").env("HOME=/root")
                .cwd("/").uid(0).gid(0).capabilities(DOCKER_CAPS, DOCKER_CAPS, 0, DOCKER_CAPS, 0)
                .noNewPrivileges(true).namespaces(ALL_NAMESPACES)
                .log(state.resolve("log.json").toString()).stateDir(state.toString());
    }

    /** An exec into the running container whose process is {@code pid}. */
    ShimMessage exec(Path state, int pid, String... args) {
        ShimMessage m = new ShimMessage().mode(ShimMessage.Mode.EXEC).id("test");
        for (String ns : List.of("ipc", "uts", "net", "pid", "mnt", "cgroup")) {
            m.joinNamespace(ns, "/proc/" + pid + "/ns/" + ns);
        }
        return m.args(List.of(args)).env("PATH=/bin:/sbin:/usr/bin").cwd("/").uid(0).gid(0)
                .capabilities(DOCKER_CAPS, DOCKER_CAPS, 0, DOCKER_CAPS, 0).noNewPrivileges(true)
                .log(state.resolve("log.json").toString()).stateDir(state.toString());
    }

    ShimResult start(ShimMessage message) throws ShimException {
        return start(message, pid -> { });
    }

    /** Launches, recording the container's pid (in created) and the shim's for the final check. */
    ShimResult start(ShimMessage message, IntConsumer created) throws ShimException {
        return start(message, created, pid -> { });
    }

    /** {@link #start(ShimMessage, IntConsumer)} with a {@code released} step after GO. */
    ShimResult start(ShimMessage message, IntConsumer created, IntConsumer released) throws ShimException {
        ShimResult r = launcher.launch(message, pid -> {
            synchronized (pids) {
                pids.add((long) pid);
            }
            created.accept(pid);
        }, released);
        synchronized (pids) {
            pids.add(r.shimPid());
        }
        return r;
    }

    /** Waits (up to 20 s) for exit.json. */
    static ExitStatus awaitExit(Path state) throws IOException, InterruptedException {
        for (long end = System.nanoTime() + Duration.ofSeconds(20).toNanos(); System.nanoTime() < end; ) {
            var exit = ExitFile.read(state);
            if (exit.isPresent()) {
                return exit.get();
            }
            Thread.sleep(20);
        }
        return fail("no exit.json in " + state + " after 20 s");
    }

    /** Runs a container to its end: its exit status; its log is then in {@code state}. */
    ExitStatus run(Path state, ShimMessage message) throws Exception {
        start(message);
        return awaitExit(state);
    }

    record LogLine(String log, String stream, String time) {
    }

    private static final Pattern LOG_TAIL = Pattern.compile("\",\"stream\":\"(stdout|stderr)\",\"time\":\"([^\"]+)\"\\}");

    static List<LogLine> log(Path state) throws IOException {
        List<LogLine> lines = new ArrayList<>();
        for (String line : Files.readAllLines(state.resolve("log.json"), StandardCharsets.UTF_8)) {
            String head = "{\"log\":\"";
            int end = head.length();
            while (end < line.length() && line.charAt(end) != '"') {
                end += line.charAt(end) == '\\' ? 2 : 1;
            }
            Matcher m = LOG_TAIL.matcher(line.substring(Math.min(end, line.length())));
            assertTrue(line.startsWith(head) && m.matches(), "not a json-file log line: " + line);
            lines.add(new LogLine(unescape(line.substring(head.length(), end)), m.group(1), m.group(2)));
        }
        return lines;
    }

    static String stdout(Path state) throws IOException {
        return stream(state, "stdout");
    }

    static String stderr(Path state) throws IOException {
        return stream(state, "stderr");
    }

    private static String stream(Path state, String name) throws IOException {
        return log(state).stream().filter(l -> l.stream().equals(name)).map(LogLine::log).collect(Collectors.joining());
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }

    /** Running: it exists and is not a zombie (this host's PID 1 reaps orphans only now and then). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        for (long end = System.nanoTime() + timeout.toNanos(); System.nanoTime() < end; Thread.sleep(20)) {
            if (!running(pid)) {
                return true;
            }
        }
        return false;
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Mount points under this test's directory in the host's mount table (fifth field of mountinfo). */
    List<String> mountsUnderDir() throws IOException {
        String prefix = dir.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .filter(mp -> mp.equals(prefix) || mp.startsWith(prefix + "/")).toList();
    }

    @Override
    public void close() throws Exception {
        List<Long> left = new ArrayList<>();
        synchronized (pids) {
            for (long pid : pids) {           // a shim finishes just after exit.json: a moment's grace
                if (!awaitGone(pid, Duration.ofSeconds(5))) {
                    left.add(pid);
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            for (long pid : left) {
                assertTrue(awaitGone(pid, Duration.ofSeconds(5)), "process " + pid + " survives SIGKILL");
            }
        }
        List<String> mounts = mountsUnderDir();
        if (mounts.isEmpty()) {
            try (Stream<Path> walk = Files.walk(dir)) {       // does not follow symlinks
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        assertEquals(List.of(), mounts, "mounts left in the host's mount table (" + dir + " kept)");
        assertEquals(List.of(), left, "processes still running 5 s after the test (killed now)");
    }
}
