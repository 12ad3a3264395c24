package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The daemon goes away while containers run: kill -9 of its JVM, {@code keel daemon stop}, or a
 * framework restart from the console ({@code update 0}). Each time the containers keep running and
 * logging (their supervisor is not the JVM; one writing far more than a pipe holds does not
 * block), and the next daemon, or the restarted framework, manages them: ps, logs -f, exec, stats,
 * stop; one that ended meanwhile shows its real exit code.
 */
class LiveRestoreCliTest {
    static Keel keel;
    static Path rootfs;

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("live-restore");
        rootfs = Path.of(System.getProperty("keel.it.tmp")).resolve("live-restore/rootfs");
        Keel.busyboxRootfs(rootfs);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        keel.close();
    }

    @Test
    void containersOutliveAKilledDaemonAndTheNextOneManagesThem() throws Exception {
        assertEquals(0, keel.keel("run", "-d", "--name", "ticker", "--network", "none", "--rootfs", rootfs.toString(),
                "/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done").code());
        assertEquals(0, keel.keel("run", "-d", "--name", "short", "--network", "none", "--rootfs", rootfs.toString(),
                "/bin/sh", "-c", "sleep 1; exit 7").code());
        Thread.sleep(500);
        long pid = keel.daemonPid();
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        int before = lines(keel.root.resolve("containers"));
        Thread.sleep(2000); // no daemon: the ticker keeps writing its log, the short one exits
        int after = lines(keel.root.resolve("containers"));
        assertTrue(after > before + 10, "the log stopped while the daemon was down: " + before + " -> " + after);

        Keel.Result ps = keel.keel("ps"); // starts a new daemon
        assertTrue(keel.daemonPid() > 0 && keel.daemonPid() != pid);
        assertTrue(ps.out().contains("ticker") && ps.out().contains("Up "), ps.toString());
        assertTrue(keel.keel("logs", "--tail", "1", "ticker").out().startsWith("tick "));
        assertEquals("in", keel.keel("exec", "ticker", "echo", "in").out().trim());
        String shortState = keel.keel("inspect", "short").out();
        assertTrue(shortState.contains("\"exitCode\" : 7") && shortState.contains("\"STOPPED\""), shortState);
        assertEquals(0, keel.keel("stop", "-t", "1", "ticker").code());
        assertTrue(keel.keel("ps", "-a").out().contains("Exited"));
    }

    @Test
    void containersOutliveDaemonStopAndTheNextDaemonManagesThem() throws Exception {
        try (Keel keel = new Keel("live-stop")) {
            startContainers(keel);
            long pid = keel.daemonPid();
            Keel.Result stop = keel.keel("daemon", "stop");
            assertEquals(0, stop.code(), stop.toString());
            ProcessHandle.of(pid).orElseThrow().onExit().get(30, TimeUnit.SECONDS);
            assertEquals(-1, keel.daemonPid());

            // no daemon: the flood writes ~300 KB (a pipe holds 64 KiB) and exits; the ticker logs on
            Path exitFile = awaitExitFile(keel, "flood");
            assertTrue(Files.exists(exitFile), "the flood did not finish while the daemon was down");
            int before = lines(keel.root.resolve("containers"));
            Thread.sleep(1000);
            assertTrue(lines(keel.root.resolve("containers")) > before + 5, "the ticker stopped logging");
            assertEquals(-1, keel.daemonPid(), "something started a daemon");

            assertTheDaemonManagesThem(keel); // its first command starts a new daemon
            assertTrue(keel.daemonPid() > 0 && keel.daemonPid() != pid);
        }
    }

    @Test
    void containersOutliveAFrameworkRestartFromTheConsole() throws Exception {
        Keel keel = new Keel("live-console");
        String daemon = String.join(" ", keel.command(List.of("daemon")));
        Process script = Keel.builder(List.of("script", "-qfec", daemon, "/dev/null")).redirectErrorStream(true)
                .start();
        StringBuffer console = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (var in = script.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    console.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException e) {
                // the console ended
            }
        });
        reader.start();
        try (OutputStream in = script.getOutputStream()) {
            // only once it serves: a client finding no daemon would start one of its own
            awaitUpTo(60, () -> Files.exists(keel.run.resolve("keel.sock")), "the foreground daemon serves\n" + console);
            assertEquals(0, keel.keel("version").code());
            long pid = keel.daemonPid();
            startContainers(keel);
            Path log = keel.root.resolve("logs/daemon.log");
            long readyBefore = readyAgain(log);

            in.write("update 0\n".getBytes(StandardCharsets.UTF_8)); // Felix's framework restart
            in.flush();
            awaitUpTo(60, () -> readyAgain(log) > readyBefore, "the framework restarted\n" + console);
            assertEquals(pid, keel.daemonPid(), "the same daemon process runs on");
            assertTrue(ProcessHandle.of(pid).isPresent());
            assertTheDaemonManagesThem(keel);
            assertEquals(pid, keel.daemonPid());

            Keel.Result stop = keel.keel("daemon", "stop");
            assertEquals(0, stop.code(), stop.toString());
            assertTrue(script.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop\n" + console);
        } finally {
            script.destroyForcibly();
            keel.close();
        }
    }

    /** A ticker that logs forever, and a flood that writes ~300 KB after a second and exits 3. */
    private static void startContainers(Keel keel) throws Exception {
        Keel.Result ticker = keel.keel("run", "-d", "--name", "ticker", "--network", "none", "--rootfs",
                rootfs.toString(), "/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done");
        assertEquals(0, ticker.code(), ticker.toString());
        Keel.Result flood = keel.keel("run", "-d", "--name", "flood", "--network", "none", "--rootfs",
                rootfs.toString(), "/bin/sh", "-c", "sleep 1; dd if=/dev/zero bs=1000 count=300 2>/dev/null"
                        + " | tr '\\0' x; exit 3");
        assertEquals(0, flood.code(), flood.toString());
    }

    /** What a daemon must do with containers it did not start: the same as with its own. */
    private static void assertTheDaemonManagesThem(Keel keel) throws Exception {
        Keel.Result ps = keel.keel("ps");
        assertTrue(ps.out().contains("ticker") && ps.out().contains("Up "), ps.toString());
        assertTrue(keel.keel("logs", "--tail", "1", "ticker").out().startsWith("tick "));
        assertTrue(followsNewLines(keel, "ticker"), "logs -f showed no new tick");
        assertEquals("in", keel.keel("exec", "ticker", "echo", "in").out().trim());
        Keel.Result stats = keel.keel("stats", "--no-stream", "ticker");
        assertEquals(0, stats.code(), stats.toString());
        assertTrue(stats.out().contains("ticker"), stats.toString());

        Keel.Result wait = keel.keel("wait", "flood");
        assertEquals("3", wait.out().trim(), wait.toString());
        String flood = keel.keel("inspect", "flood").out();
        assertTrue(flood.contains("\"exitCode\" : 3") && flood.contains("\"STOPPED\""), flood);
        Keel.Result logs = keel.keel("logs", "flood");
        assertEquals(300_000, logs.out().chars().filter(c -> c == 'x').count(), "the flood's log lost output");

        assertEquals(0, keel.keel("stop", "-t", "1", "ticker").code());
        assertTrue(keel.keel("ps", "-a").out().lines().anyMatch(l -> l.contains("ticker") && l.contains("Exited")));
        for (String name : List.of("ticker", "flood")) {
            assertEquals(0, keel.keel("rm", name).code());
        }
    }

    /** {@code logs -f}: two tick lines beyond those already written arrive. */
    private static boolean followsNewLines(Keel keel, String name) throws Exception {
        Process follow = Keel.builder(keel.command(List.of("logs", "-f", "--tail", "0", name))).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(follow.getInputStream(),
                StandardCharsets.UTF_8))) {
            java.util.concurrent.CompletableFuture<Boolean> two = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            String a = out.readLine();
                            String b = out.readLine();
                            return a != null && a.startsWith("tick ") && b != null && b.startsWith("tick ");
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    });
            return two.get(30, TimeUnit.SECONDS);
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The supervisor's exit.json of the named container, once it is there (within 20 s). */
    private static Path awaitExitFile(Keel keel, String name) throws Exception {
        String id = null;
        try (var dirs = Files.list(keel.root.resolve("containers"))) {
            for (Path dir : dirs.toList()) {
                String record = Files.readString(dir.resolve("container.json"));
                if (record.matches("(?s).*\"name\"\\s*:\\s*\"" + name + "\".*")) {
                    id = dir.getFileName().toString();
                }
            }
        }
        assertTrue(id != null, "no record of " + name);
        Path exit = keel.run.resolve("c").resolve(id.substring(0, 12)).resolve("exit.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(exit) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return exit;
    }

    private static void awaitUpTo(int seconds, DaemonLifecycleTest.Check check, Object what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within " + seconds + " s: " + what);
            Thread.sleep(50);
        }
    }

    /** How many times the daemon's log says it was ready again after a framework restart. */
    private static long readyAgain(Path log) throws Exception {
        return Files.exists(log) ? Files.readAllLines(log).stream()
                .filter(l -> l.contains("keel daemon ready again after a framework restart")).count() : 0;
    }

    /** Lines in every container log under {@code dir}. */
    private static int lines(Path dir) throws Exception {
        Keel.Result r = Keel.exec(List.of("sh", "-c", "cat " + dir + "/*/*-json.log | wc -l"));
        return Integer.parseInt(r.out().trim());
    }
}
