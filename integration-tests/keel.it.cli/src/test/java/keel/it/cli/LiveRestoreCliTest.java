package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the daemon's JVM while containers run: they keep running and logging (their
 * supervisor is not the JVM), and the next daemon manages them; one that ended meanwhile shows its
 * real exit code.
 */
class LiveRestoreCliTest {
    static Keel keel;
    static Path rootfs;

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("live-restore");
        rootfs = Path.of(System.getProperty("keel.it.tmp")).resolve("live-restore/rootfs");
        assertEquals(0, Keel.exec(List.of("bash", Keel.DIST.resolve("../../../bench/busybox-rootfs.sh").normalize()
                .toString(), rootfs.toString())).code());
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

    /** Lines in every container log under {@code dir}. */
    private static int lines(Path dir) throws Exception {
        Keel.Result r = Keel.exec(List.of("sh", "-c", "cat " + dir + "/*/*-json.log | wc -l"));
        return Integer.parseInt(r.out().trim());
    }
}
