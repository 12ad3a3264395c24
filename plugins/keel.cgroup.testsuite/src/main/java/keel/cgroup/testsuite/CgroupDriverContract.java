package keel.cgroup.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.cgroup.CgroupPlanner;
import keel.api.cgroup.CgroupRecord;
import keel.api.runtime.Resources;

/**
 * What every {@link CgroupDriver} does, on a real host: one abstract suite that each driver's
 * tests extend (as containerd's snapshotter testsuite). Subclasses give a driver over a parent
 * cgroup of their own ({@code keel-test-<pid>}) and remove that parent after the class.
 */
public abstract class CgroupDriverContract {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;

    protected final Procs procs = new Procs();
    private final List<CgroupRecord> created = new ArrayList<>();
    private CgroupDriver driver;

    /** A new driver instance over the suite's parent cgroup; two calls give two instances (for adopt). */
    protected abstract CgroupDriver newDriver();

    /** {@code v1} or {@code v2}. */
    protected abstract String version();

    /** The directories under which this driver makes a container's cgroups (one per hierarchy). */
    protected abstract List<Path> parentDirectories();

    protected final CgroupDriver driver() {
        if (driver == null) {
            driver = newDriver();
        }
        return driver;
    }

    protected static String newId() {
        return "c" + IDS.incrementAndGet() + "-" + ProcessHandle.current().pid();
    }

    /** Creates a cgroup that {@link #cleanUp()} destroys. */
    protected final CgroupRecord create(String id, Resources resources) {
        CgroupRecord record = driver().create(id, resources);
        created.add(record);
        return record;
    }

    protected static Resources none() {
        return new Resources(null, null, null, null, List.of());
    }

    protected static Resources memory(long bytes) {
        return new Resources(new Resources.Memory(bytes, null, null, null), null, null, null, List.of());
    }

    protected static Resources cpus(String list) {
        return new Resources(null, new Resources.Cpu(null, null, null, list, null), null, null, List.of());
    }

    /** Starts {@code script} (after {@link Procs#WAIT}), moves it into {@code record}, lets it go. */
    protected final Process startIn(CgroupRecord record, String script, String... args) {
        Process process = procs.start(Procs.WAIT + script, args);
        driver().join(record, (int) process.pid());
        Procs.go(process);
        return process;
    }

    @AfterEach
    void cleanUp() {
        RuntimeException failure = null;
        for (CgroupRecord record : created) {
            try {
                driver().destroy(record);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        procs.close();
        created.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static KeelException fails(ErrorKind kind, Runnable action) {
        KeelException e = assertThrows(KeelException.class, action::run);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private void assertNothingMadeFor(String id) {
        for (Path parent : parentDirectories()) {
            assertFalse(Files.exists(parent.resolve(id)), parent.resolve(id) + " was made");
        }
    }

    // ---------------------------------------------------------------- create

    @Test
    void createMakesOneCgroupWhoseRecordNamesEveryDirectory() {
        String id = newId();
        CgroupRecord record = create(id, none());
        assertEquals(id, record.containerId());
        assertEquals(version(), record.version());
        assertFalse(record.paths().isEmpty());
        for (String path : record.paths().values()) {
            assertTrue(Files.isDirectory(Path.of(path)), path);
            assertEquals(id, Path.of(path).getFileName().toString());
        }
        for (Path parent : parentDirectories()) {
            assertTrue(Files.isDirectory(parent.resolve(id)), parent.resolve(id) + " missing");
        }
    }

    @Test
    void invalidResourcesFailNamingTheFlagAndMakeNothing() {
        String id = newId();
        KeelException memory = fails(ErrorKind.INVALID_ARGUMENT, () -> driver().create(id, memory(4096)));
        assertEquals("invalid --memory 4k: the minimum is 6 MiB", memory.getMessage());
        KeelException list = fails(ErrorKind.INVALID_ARGUMENT, () -> driver().create(id, cpus("a-b")));
        assertEquals("invalid --cpuset-cpus 'a-b': expected a list such as 0-2,4", list.getMessage());
        KeelException host = fails(ErrorKind.INVALID_ARGUMENT, () -> driver().create(id, cpus("0-4000")));
        assertTrue(host.getMessage().startsWith("--cpuset-cpus 0-4000: this host has CPUs "), host.getMessage());
        Resources swap = new Resources(new Resources.Memory(128L << 20, null, 64L << 20, null), null, null, null,
                List.of());
        KeelException swapped = fails(ErrorKind.INVALID_ARGUMENT, () -> driver().create(id, swap));
        assertTrue(swapped.getMessage().contains("--memory-swap must be at least --memory"), swapped.getMessage());
        KeelException negative = fails(ErrorKind.INVALID_ARGUMENT,
                () -> driver().create(id, new Resources(null, null, -5L, null, List.of())));
        assertTrue(negative.getMessage().startsWith("invalid --pids-limit -5"), negative.getMessage());
        assertNothingMadeFor(id);
    }

    @Test
    void hostileContainerIdsAreRefused() {
        for (String id : List.of("..", "../../etc", "a/b", "", ".hidden", "x".repeat(200), "a\0b")) {
            fails(ErrorKind.INVALID_ARGUMENT, () -> driver().create(id, none()));
        }
        for (Path parent : parentDirectories()) {
            assertFalse(Files.exists(parent.resolve("a")), "a/b made something");
        }
    }

    @Test
    void creatingTheSameContainerTwiceFailsAndKeepsTheFirst() {
        String id = newId();
        CgroupRecord record = create(id, none());
        fails(ErrorKind.ALREADY_EXISTS, () -> driver().create(id, none()));
        for (String path : record.paths().values()) {
            assertTrue(Files.isDirectory(Path.of(path)), path);
        }
    }

    /** A driver that plans (both in the tree do) names, before making it, exactly what create makes. */
    @Test
    void aPlannedCgroupIsWhatCreateMakesAndDestroyingItUnmadeIsNoError() {
        org.junit.jupiter.api.Assumptions.assumeTrue(driver() instanceof CgroupPlanner, "not a CgroupPlanner");
        String id = newId();
        CgroupRecord planned = ((CgroupPlanner) driver()).plan(id);
        for (String path : planned.paths().values()) {
            assertFalse(Files.exists(Path.of(path)), "plan made " + path);
        }
        driver().destroy(planned); // the kernel's start and rm do this: a cgroup never made is no error
        fails(ErrorKind.NOT_FOUND, () -> driver().adopt(planned)); // recovery asks whether it exists
        assertEquals(planned, create(id, none()));
        fails(ErrorKind.INVALID_ARGUMENT, () -> ((CgroupPlanner) driver()).plan("../../etc"));
    }

    // ---------------------------------------------------------------- join, pids, stats

    @Test
    void joinMovesAProcessInAndPidsAndStatsSeeIt() {
        CgroupRecord record = create(newId(), none());
        assertEquals(Set.of(), driver().pids(record));
        Process sleeper = startIn(record, "exec sleep 1000");
        assertTrue(Procs.await(5000, () -> driver().pids(record).contains((int) sleeper.pid())),
                "pid " + sleeper.pid() + " not listed: " + driver().pids(record));
        assertTrue(driver().stats(record).pids() >= 1, driver().stats(record).toString());
        assertEquals(0, driver().oomKills(record), "nothing was OOM-killed here");
    }

    @Test
    void joiningAMissingProcessIsNotFound() {
        CgroupRecord record = create(newId(), none());
        Process gone = procs.start("exit 0");
        Procs.finish(gone, 10);
        fails(ErrorKind.NOT_FOUND, () -> driver().join(record, (int) gone.pid()));
    }

    @Test
    void statsCountTheCpuTimeOfABusyProcess() {
        CgroupRecord record = create(newId(), none());
        assertEquals(0, driver().stats(record).cpuUsageNanos());
        startIn(record, "while :; do :; done");
        assertTrue(Procs.await(10_000, () -> driver().stats(record).cpuUsageNanos() > 50_000_000L),
                "no CPU time counted: " + driver().stats(record));
    }

    // ---------------------------------------------------------------- freeze, kill

    @Test
    void freezeStopsACounterAndThawResumesIt() {
        CgroupRecord record = create(newId(), none());
        Process counting = startIn(record, "i=0; while :; do i=$((i+1)); echo $i; sleep 0.01; done");
        AtomicLong counter = Procs.counter(counting);
        assertTrue(Procs.await(10_000, () -> counter.get() >= 3), "the counter never counted");

        driver().freeze(record);
        Procs.sleep(200); // what was written before the freeze is read
        long frozen = counter.get();
        Procs.sleep(500);
        assertEquals(frozen, counter.get(), "the counter advanced while frozen");

        driver().thaw(record);
        assertTrue(Procs.await(10_000, () -> counter.get() > frozen), "the counter did not resume after thaw");
    }

    @Test
    void killAllLeavesNothingAliveEvenWhileAProcessForks() {
        CgroupRecord record = create(newId(), none());
        Process forking = startIn(record, "while :; do sleep 1000 & sleep 0.02; done");
        assertTrue(Procs.await(10_000, () -> driver().pids(record).size() >= 5), "the fork loop did not start");

        driver().killAll(record, SIGKILL);
        assertTrue(Procs.await(10_000, () -> driver().pids(record).isEmpty()),
                "still alive after killAll: " + driver().pids(record));
        assertTrue(Procs.await(10_000, () -> !forking.isAlive()));
    }

    @Test
    void killAllSendsTheSignalAsked() {
        CgroupRecord record = create(newId(), none());
        Process trapping = startIn(record,
                "trap 'echo got-term; exit 3' TERM; echo trapping; while :; do sleep 0.05; done");
        assertEquals("trapping", Procs.readLine(trapping));
        driver().killAll(record, SIGTERM);
        String output = Procs.finish(trapping, 10);
        assertEquals(3, trapping.exitValue(), output);
        assertTrue(output.contains("got-term"), output);
    }

    // ---------------------------------------------------------------- destroy, adopt

    @Test
    void destroyKillsWhatIsLeftAndRemovesEveryDirectory() {
        CgroupRecord record = create(newId(), none());
        Process sleeper = startIn(record, "sleep 1000 & exec sleep 1000");
        assertTrue(Procs.await(5000, () -> driver().pids(record).size() >= 2));

        driver().destroy(record);
        for (String path : record.paths().values()) {
            assertFalse(Files.exists(Path.of(path)), path + " is left");
        }
        assertTrue(Procs.await(10_000, () -> !sleeper.isAlive()), "the process survived destroy");
        driver().destroy(record); // a missing cgroup is no error
    }

    @Test
    void destroyRemovesCgroupsTheContainerMadeInsideItsOwn() throws java.io.IOException {
        CgroupRecord record = create(newId(), none());
        for (String path : record.paths().values()) {
            Files.createDirectories(Path.of(path, "nested", "deeper"));
        }
        driver().destroy(record);
        for (String path : record.paths().values()) {
            assertFalse(Files.exists(Path.of(path)), path + " is left");
        }
    }

    @Test
    void anotherInstanceAdoptsTheRecordAndManagesIt() {
        CgroupRecord record = create(newId(), none());
        CgroupDriver second = newDriver();
        CgroupRecord adopted = second.adopt(record);
        assertEquals(record, adopted);

        Process sleeper = procs.start(Procs.WAIT + "exec sleep 1000");
        second.join(adopted, (int) sleeper.pid());
        assertTrue(driver().pids(record).contains((int) sleeper.pid()));
        second.destroy(adopted);
        fails(ErrorKind.NOT_FOUND, () -> driver().adopt(record));
    }

    @Test
    void aRecordThatPointsOutsideTheDriversCgroupsIsRefused() {
        CgroupRecord record = create(newId(), none());
        Map<String, String> hostile = new HashMap<>();
        record.paths().forEach((controller, path) -> hostile.put(controller, "/etc"));
        CgroupRecord outside = new CgroupRecord(record.containerId(), version(), hostile);
        fails(ErrorKind.INVALID_ARGUMENT, () -> driver().adopt(outside));
        fails(ErrorKind.INVALID_ARGUMENT, () -> driver().destroy(outside));

        Map<String, String> climbing = new HashMap<>();
        record.paths().forEach((controller, path) -> climbing.put(controller, path + "/../../" + record.containerId()));
        fails(ErrorKind.INVALID_ARGUMENT, () -> driver().destroy(new CgroupRecord(record.containerId(), version(),
                climbing)));

        CgroupRecord otherVersion = new CgroupRecord(record.containerId(), version().equals("v1") ? "v2" : "v1",
                record.paths());
        fails(ErrorKind.INVALID_ARGUMENT, () -> driver().adopt(otherVersion));
        assertEquals(record, driver().adopt(record));
    }

    @Test
    void updateValidatesLikeCreate() {
        CgroupRecord record = create(newId(), none());
        KeelException e = fails(ErrorKind.INVALID_ARGUMENT, () -> driver().update(record,
                new Resources(null, null, null, 5, List.of())));
        assertEquals("invalid --blkio-weight 5: the range is 10-1000", e.getMessage());
    }

    @Test
    void describeNamesTheCgroupVersion() {
        assertEquals(version(), driver().describe().get("cgroup.version"));
    }
}
