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
import keel.cgroup.base.ControlFiles;

/**
 * The driver's warm-up thread on the real freezer hierarchy: at each anticipated join it moves itself
 * into the driver's parent cgroup and back. (What it is for, a shorter wait of the
 * container's join, is a matter of timing: bench/cgroup-join.c and bench/own-time.sh measure it.)
 */
class MigrationWarmupTest {
    private static final Path FREEZER = Hierarchies.under(V1TestCgroups.ROOT).mount("freezer");

    @AfterAll
    static void removeParents() {
        V1TestCgroups.removeParents();
    }

    @Test
    void eachAnticipatedJoinMovesTheWarmupThreadIntoTheParentAndBack() throws Exception {
        Path parent = FREEZER.resolve(V1TestCgroups.PARENT);
        CgroupV1Driver driver = V1TestCgroups.driver();
        driver.startMigrationWarmup();
        try {
            String home = freezerCgroupOf(Path.of("/proc/thread-self/cgroup")); // where the thread starts
            for (int i = 0; i < 3; i++) {
                String id = String.format("%064x", 0xabc0 + i);
                driver.anticipateJoin();
                CgroupRecord cgroup = driver.create(id, new Resources(null, null, null, null, List.of()));
                try {
                    long tid = warmupThread();
                    assertTrue(awaitMoves(driver, i + 1), "moved into " + parent + " at anticipated join " + i + ": "
                            + driver.migrationWarmups() + " moves");
                    Thread.sleep(MigrationWarmup.LINGER_MS + 50);   // its beats are over
                    assertTrue(awaitBackHome(tid, home), "the thread is back in " + home + " after warm-up " + i);
                    assertFalse(ControlFiles.pids(parent.resolve("tasks")).contains((int) tid),
                            "the thread is not left in the parent");
                } finally {
                    driver.destroy(cgroup);
                }
            }
            driver.create(String.format("%064x", 0xabcf), new Resources(null, null, null, null, List.of()));
            driver.destroy(driver.plan(String.format("%064x", 0xabcf)));
            Thread.sleep(100);
            assertEquals(3, driver.migrationWarmups(), "a create alone does not warm up: the kernel anticipates");
        } finally {
            driver.stopMigrationWarmup();
        }
    }

    @Test
    void afterAKickItKeepsMovingForTheLingerThenStops() throws Exception {
        CgroupV1Driver driver = V1TestCgroups.driver();
        driver.startMigrationWarmup();
        try {
            driver.anticipateJoin();
            assertTrue(awaitMoves(driver, 1), "no move at the kick");
            Thread.sleep(MigrationWarmup.LINGER_MS + 100);
            long beats = driver.migrationBeats();
            assertTrue(beats >= MigrationWarmup.LINGER_MS / MigrationWarmup.BEAT_MS / 4,
                    "a lock kept warm for " + MigrationWarmup.LINGER_MS + " ms moves every " + MigrationWarmup.BEAT_MS
                            + " ms or so: " + beats + " moves");
            Thread.sleep(200);
            assertEquals(beats, driver.migrationBeats(), "it went on moving after the linger");
            assertEquals(1, driver.migrationWarmups());
        } finally {
            driver.stopMigrationWarmup();
        }
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
