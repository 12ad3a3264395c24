package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import keel.it.registry.TestRegistry;

/**
 * {@code kill -9} of the daemon at every step of pull, load, commit, run and rm in turn: the daemon
 * is started with {@code -Dkeel.test.crash-at=POINT} (the kernel's {@code CrashPoints}, which halt
 * the JVM there), the operation fails because the daemon died there, and a normal daemon then
 * finds: every image's blobs verify, no container shows running without a live process, no debris
 * (ingest, temporary records, extract or orphan container snapshots, unreferenced blobs, cgroups of
 * containers that do not run, mounts), and the same operation succeeds. One daemon root, one
 * docker-archive and one registry for all points; each case removes everything at its end and
 * checks that nothing is left.
 */
class CrashPointsCliTest {
    private static final String LOADED = "crash/loaded:latest";
    private static final String RUN_CMD = "dd if=/dev/urandom of=/changed bs=64k count=8 2>/dev/null; exec sleep 600";

    static Path base;
    static Path archive;
    static TestRegistry registry;
    static String pulled;
    static Keel keel;

    /** One step of one operation to die at. */
    record Case(String operation, String point) {
        @Override
        public String toString() {
            return operation + " at " + point;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String op : List.of("pull", "load")) {
            for (String point : List.of("content.blob-partly-written", "content.blob-verified", "content.blob-committed",
                    "content.blob-committed@3", "image.before-record", "image.record-written")) {
                cases.add(new Case(op, point));
            }
        }
        for (String point : List.of("commit.paused", "content.blob-partly-written", "content.blob-committed",
                "commit.layer-stored", "image.before-record", "image.record-written")) {
            cases.add(new Case("commit", point));
        }
        for (String point : List.of("create.layer-extracting", "create.layer-committed", "create.snapshot-prepared",
                "create.record-written", "start.cgroup-created", "start.process-created", "start.process-running",
                "start.record-running")) {
            cases.add(new Case("run", point));
        }
        for (String point : List.of("rm.process-stopped", "rm.detached", "rm.snapshot-removed", "rm.state-removed")) {
            cases.add(new Case("rm", point));
        }
        // -Dkeel.it.crash.only=commit runs one operation's points (surefire passes -D on to the test JVM)
        String only = System.getProperty("keel.it.crash.only", "");
        return only.isEmpty() ? cases : cases.stream().filter(c -> c.operation().equals(only)).toList();
    }

    @BeforeAll
    static void archiveAndRegistry() throws Exception {
        base = Path.of(System.getProperty("keel.it.tmp")).resolve("crash");
        TestRegistry.run(Path.of("/"), "rm", "-rf", base.toString());
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Path busybox = base.resolve("busybox.tar");
        TestRegistry.run(base, "tar", "-C", rootfs.toString(), "-cf", busybox.toString(), ".");
        // a second layer over 256 KiB (more than one write into the content store) of random bytes
        Path data = Files.createDirectories(base.resolve("data"));
        TestRegistry.run(base, "sh", "-c", "head -c 1048576 /dev/urandom > " + data.resolve("random.bin"));
        Path second = base.resolve("data.tar");
        TestRegistry.run(base, "tar", "-C", data.toString(), "-cf", second.toString(), ".");
        archive = DockerArchives.write(base.resolve("image"), LOADED, "{\"Cmd\":[\"sh\"]}", busybox, second);
        registry = TestRegistry.start(base.resolve("registry"), null, null);
        registry.push("docker-archive:" + archive, "crash/pulled:latest");
        pulled = registry.host() + "/crash/pulled:latest";
        keel = new Keel("crash");
    }

    @AfterAll
    static void stop() throws Exception {
        if (keel != null) {
            removeEverything();
            keel.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** One test per point, in order, on the one daemon root. */
    @TestFactory
    Stream<DynamicTest> aDaemonKilledAtEachStepLeavesNoDebrisAndTheOperationThenSucceeds() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> killedAt(c)));
    }

    private static void killedAt(Case c) throws Exception {
        removeEverything();
        prepare(c.operation());
        stopDaemon();

        long logOffset = logSize();
        Keel.Result crashed = crashingAt(c.point(), operation(c.operation()));
        assertNotEquals(0, crashed.code(), "the operation completed: " + crashed);
        awaitNoDaemon();
        String log = logSince(logOffset);
        String point = c.point().contains("@") ? c.point() : c.point() + "@1";
        assertTrue(log.contains("crash point " + point + " reached"), "the daemon did not die at " + point + ": "
                + crashed + "\n" + log);

        logOffset = logSize();
        assertEquals(0, keel.keel("version").code()); // a normal daemon
        awaitRecovery(logOffset);
        assertImagesVerify();
        assertNoGhostAndNoStrayCgroup();
        assertNoDebris();

        rerun(c.operation());
        assertImagesVerify();
        assertNoGhostAndNoStrayCgroup();
        assertNoDebris();
        removeEverything();
        assertEmpty();
    }

    // --- the operations ---

    private static List<String> operation(String op) {
        return switch (op) {
            case "pull" -> List.of("pull", pulled);
            case "load" -> List.of("load", "-i", archive.toString());
            case "commit" -> List.of("commit", "crash-commit", "crash/committed:1");
            case "run" -> List.of("run", "-d", "--name", "crash-run", "--network", "none", LOADED, "sh", "-c", RUN_CMD);
            case "rm" -> List.of("rm", "-f", "crash-rm");
            default -> throw new IllegalArgumentException(op);
        };
    }

    /** What the operation needs, made by a normal daemon. */
    private static void prepare(String op) throws Exception {
        if (List.of("commit", "run", "rm").contains(op)) {
            ok("load", "-i", archive.toString());
        }
        if (op.equals("commit") || op.equals("rm")) {
            ok("run", "-d", "--name", "crash-" + op, "--network", "none", LOADED, "sh", "-c", RUN_CMD);
            awaitFile("crash-" + op);
        }
    }

    /** The same operation again, on a normal daemon: it succeeds and did what it says. */
    private static void rerun(String op) throws Exception {
        switch (op) {
            case "pull", "load" -> {
                ok(operation(op).toArray(String[]::new));
                String image = op.equals("pull") ? pulled : LOADED;
                Keel.Result run = ok("run", "--rm", "--network", "none", image, "sh", "-c", "wc -c < /random.bin");
                assertEquals("1048576", run.out().strip(), run.toString());
            }
            case "commit" -> {
                ok(operation(op).toArray(String[]::new));
                Keel.Result run = ok("run", "--rm", "--network", "none", "crash/committed:1", "sh", "-c",
                        "wc -c < /changed");
                assertEquals("524288", run.out().strip(), run.toString());
            }
            case "run" -> {
                if (containerIds().size() == 1) { // the one the killed daemon created: it goes as any other
                    ok("rm", "-f", "crash-run");
                }
                assertEquals(List.of(), containerIds());
                ok(operation(op).toArray(String[]::new));
                assertEquals("RUNNING", status(containerIds().get(0)));
                awaitFile("crash-run");
            }
            case "rm" -> {
                assertEquals(1, containerIds().size(), "rm died before it removed the record: the container is listed");
                ok(operation(op).toArray(String[]::new));
                assertEquals(List.of(), containerIds());
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    /** Waits until the container's command wrote /changed (its layer then has it to commit). */
    private static void awaitFile(String container) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (keel.keel("exec", container, "test", "-s", "/changed").code() != 0) {
            assertTrue(System.nanoTime() < deadline, container + " never wrote /changed");
            Thread.sleep(50);
        }
    }

    // --- the checks ---

    /**
     * Every blob in the store hashes to its name; every image's manifest, config and layers are
     * there; and, since start-up recovery collects, every blob belongs to a listed image.
     */
    private static void assertImagesVerify() throws Exception {
        Path blobs = keel.root.resolve("content/blobs/sha256");
        Set<String> stored = new HashSet<>();
        for (Path blob : list(blobs)) {
            assertEquals(blob.getFileName().toString(), Keel.sha256(blob), "blob " + blob + " does not match its digest");
            stored.add(blob.getFileName().toString());
        }
        Set<String> referenced = new HashSet<>();
        Path index = keel.root.resolve("images/images.json");
        String images = Files.exists(index) ? Files.readString(index) : "";
        Matcher manifests = Pattern.compile("\"manifest\"\\s*:\\s*\"sha256:([0-9a-f]{64})\"").matcher(images);
        while (manifests.find()) {
            String manifest = manifests.group(1);
            referenced.add(manifest);
            assertTrue(stored.contains(manifest), "a listed image's manifest is missing: " + manifest);
            Matcher digests = Pattern.compile("\"digest\"\\s*:\\s*\"sha256:([0-9a-f]{64})\"")
                    .matcher(Files.readString(blobs.resolve(manifest)));
            while (digests.find()) {
                referenced.add(digests.group(1));
                assertTrue(stored.contains(digests.group(1)), "image " + manifest + " lacks blob " + digests.group(1));
            }
        }
        stored.removeAll(referenced);
        assertEquals(Set.of(), stored, "blobs no image uses are left");
        Keel.Result list = ok("images", "-q");
        for (String id : list.out().lines().toList()) {
            ok("inspect", id);
        }
    }

    /** Running or paused containers have a live process; cgroups exist only for them. */
    private static void assertNoGhostAndNoStrayCgroup() throws Exception {
        Set<String> live = new HashSet<>();
        for (String id : containerIds()) {
            String inspect = ok("inspect", id).out();
            String status = field(inspect, "status");
            if (status.equals("RUNNING") || status.equals("PAUSED")) {
                long pid = Long.parseLong(field(inspect, "pid"));
                assertTrue(pid > 0 && Files.exists(Path.of("/proc/" + pid)), "a ghost: " + inspect);
                live.add(id);
            }
        }
        for (Path cgroup : containerCgroups()) {
            assertTrue(live.contains(cgroup.getFileName().toString()), "a cgroup of a container that does not run: "
                    + cgroup + " (running: " + live + ")");
        }
    }

    /** Nothing half-written or orphaned. */
    private static void assertNoDebris() throws Exception {
        assertEquals(List.of(), list(keel.root.resolve("content/ingest")), "half-written blobs in content/ingest");
        try (Stream<Path> all = Files.walk(keel.root)) {
            List<Path> temporary = all.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
            assertEquals(List.of(), temporary, "temporary records left");
        }
        List<String> containers = containerIds();
        Path storage = keel.root.resolve("storage.overlay");
        Set<String> ids = new HashSet<>();
        for (Path meta : list(storage.resolve("meta"))) {
            Properties snapshot = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                snapshot.load(in);
            }
            String key = snapshot.getProperty("key");
            assertFalse(key.startsWith("extract-"), "an unpack's snapshot left: " + key);
            if (key.startsWith("container-")) {
                assertTrue(containers.contains(key.substring("container-".length())), "the snapshot of no container: "
                        + key);
            } else {
                assertTrue(key.startsWith("sha256:"), "a snapshot of unknown kind: " + key);
            }
            ids.add(meta.getFileName().toString());
        }
        for (Path layer : list(storage.resolve("fs"))) {
            assertTrue(ids.contains(layer.getFileName().toString()), "a layer directory without its record: " + layer);
        }
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(base.toString()), "mounts left under " + base + ":\n" + mounts);
    }

    /** After everything was removed: no blob, no snapshot, no cgroup. */
    private static void assertEmpty() throws Exception {
        assertEquals(List.of(), list(keel.root.resolve("content/blobs/sha256")));
        assertEquals(List.of(), list(keel.root.resolve("storage.overlay/meta")));
        assertEquals(List.of(), containerCgroups());
    }

    // --- daemons ---

    /** Runs the client with a daemon it starts that dies at {@code point}. */
    private static Keel.Result crashingAt(String point, List<String> args) throws Exception {
        ProcessBuilder builder = Keel.builder(keel.command(args));
        builder.environment().put("KEEL_JVM_OPTS", "-Dkeel.cgroup.parent=" + Keel.CGROUP_PARENT
                + " -Dkeel.test.crash-at=" + point);
        Path out = base.resolve("crashed.out");
        Process client = builder.redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!client.waitFor(60, TimeUnit.SECONDS)) {
            client.destroyForcibly();
            fail("the client hung: " + Files.readString(out));
        }
        return new Keel.Result(client.exitValue(), Files.readString(out), "");
    }

    private static void stopDaemon() throws Exception {
        ok("daemon", "stop");
        awaitNoDaemon();
    }

    private static void awaitNoDaemon() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (keel.daemonPid() > 0) {
            assertTrue(System.nanoTime() < deadline, "the daemon did not end");
            Thread.sleep(20);
        }
    }

    private static void awaitRecovery(long logOffset) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!logSince(logOffset).contains("start-up recovery done")) {
            assertTrue(System.nanoTime() < deadline, "no start-up recovery: " + logSince(logOffset));
            Thread.sleep(20);
        }
        assertFalse(logSince(logOffset).contains("recovery done, incomplete"), logSince(logOffset));
    }

    /** Every container and image gone, by a normal daemon (autostarted if none runs). */
    private static void removeEverything() throws Exception {
        for (String id : containerIds()) {
            ok("rm", "-f", id);
        }
        for (String id : keel.keel("images", "-q").out().lines().distinct().toList()) {
            ok("rmi", "-f", id);
        }
        ok("system", "prune", "-a", "-f");
    }

    // --- helpers ---

    private static Keel.Result ok(String... args) throws Exception {
        Keel.Result r = keel.keel(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r);
        return r;
    }

    private static List<String> containerIds() throws Exception {
        return ok("ps", "-aq", "--no-trunc").out().lines().toList();
    }

    private static String status(String id) throws Exception {
        return field(ok("inspect", id).out(), "status");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",\\s]+)").matcher(json);
        assertTrue(m.find(), "no " + name + " in " + json);
        return m.group(1);
    }

    /** The containers' cgroup directories under this test run's parent, in every v1 hierarchy (or v2). */
    private static List<Path> containerCgroups() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : list(Path.of("/sys/fs/cgroup"))) {
            Path parent = hierarchy.resolve(Keel.CGROUP_PARENT);
            if (!Files.isSymbolicLink(hierarchy) && Files.isDirectory(parent)) {
                try (Stream<Path> children = Files.list(parent)) {
                    children.filter(Files::isDirectory).forEach(found::add);
                }
            }
        }
        return found;
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }

    private static long logSize() throws IOException {
        Path log = keel.root.resolve("logs/daemon.log");
        return Files.exists(log) ? Files.size(log) : 0;
    }

    private static String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(keel.root.resolve("logs/daemon.log"));
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                StandardCharsets.UTF_8);
    }

}
