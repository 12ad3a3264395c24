package keel.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import keel.api.cgroup.CgroupRecord;
import keel.api.runtime.Resources;

/**
 * The driver's warm-up thread on the real freezer hierarchy: it moves itself into its cgroup and back at
 * each create, and leaves no cgroup behind. (What it is for, a shorter wait of the
 * container's join, is a matter of timing: bench/cgroup-join.c and bench/own-time.sh measure it.)
 */
class MigrationWarmupTest {
    private static final Path FREEZER = Hierarchies.under(V1TestCgroups.ROOT).mount("freezer");

    @AfterAll
    static void removeParents() {
        V1TestCgroups.removeParents();
    }

    @Test
    void eachCreateMovesTheWarmupThreadThereAndBackAndStopRemovesItsCgroup() throws Exception {
        Path warm = FREEZER.resolve(V1TestCgroups.PARENT).resolve("warmup");
        CgroupV1Driver driver = V1TestCgroups.driver();
        driver.startMigrationWarmup();
        try {
            assertFalse(Files.exists(warm), "no warm-up cgroup before a container is made");
            String home = null;
            for (int i = 0; i < 3; i++) {
                String id = String.format("%064x", 0xabc0 + i);
                CgroupRecord cgroup = driver.create(id, new Resources(null, null, null, null, List.of()));
                long tid = warmupThread();
                home = home != null ? home : freezerCgroupOf(Thread.currentThread());
                try {
                    assertTrue(awaitMoves(driver, i + 1), "moved into the warm-up cgroup at create " + i + ": "
                            + driver.migrationWarmups() + " moves");
                    assertTrue(awaitBackHome(tid, home), "the thread is back in " + home + " after create " + i);
                    assertTrue(awaitGone(warm), "the warm-up cgroup is removed after each warm-up: " + warm);
                } finally {
                    driver.destroy(cgroup);
                }
            }
        } finally {
            driver.stopMigrationWarmup();
        }
        assertFalse(Files.exists(warm), "nothing left after stop: " + warm);
    }

    /** The tid of the keel-cgroup-warmup thread of this JVM (its name is set once it runs: waited for, 5 s). */
    private static long warmupThread() throws Exception {
        for (int i = 0; i < 250; i++) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    if (Files.readString(task.resolve("comm")).strip().startsWith("keel-cgroup-war")) {
                        return Long.parseLong(task.getFileName().toString());
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no keel-cgroup-warmup thread");
    }

    /** The freezer cgroup of the calling thread: where the warm-up thread, made by it, started. */
    private static String freezerCgroupOf(Thread current) throws Exception {
        return freezerCgroupOf(Path.of("/proc/thread-self/cgroup"));
    }

    private static String freezerCgroupOf(long tid) throws Exception {
        return freezerCgroupOf(Path.of("/proc/self/task/" + tid + "/cgroup"));
    }

    private static String freezerCgroupOf(Path file) throws Exception {
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains("freezer")) {
                return f[2];
            }
        }
        throw new AssertionError("no freezer line in " + file);
    }

    private static boolean awaitGone(Path dir) throws InterruptedException {
        for (int i = 0; i < 250 && Files.exists(dir); i++) {
            Thread.sleep(20);
        }
        return !Files.exists(dir);
    }

    private static boolean awaitMoves(CgroupV1Driver driver, long moves) throws InterruptedException {
        for (int i = 0; i < 250 && driver.migrationWarmups() < moves; i++) {
            Thread.sleep(20);
        }
        return driver.migrationWarmups() == moves;
    }

    /** Whether, within 5 s, the thread has been moved and is in {@code home} again. */
    private static boolean awaitBackHome(long tid, String home) throws Exception {
        Thread.sleep(50);
        for (int i = 0; i < 250; i++) {
            if (freezerCgroupOf(tid).equals(home)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

}
