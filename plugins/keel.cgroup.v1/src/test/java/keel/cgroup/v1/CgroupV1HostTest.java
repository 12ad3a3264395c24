package keel.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;

import keel.api.cgroup.CgroupRecord;
import keel.api.cgroup.CgroupStats;
import keel.api.runtime.Resources;
import keel.cgroup.testsuite.DeviceNodes;
import keel.cgroup.testsuite.Procs;
import keel.cgroup.base.DeviceRules;

/** Real outcomes of v1 limits on real processes: what a container would feel. */
class CgroupV1HostTest {
    private static final long MIB = 1 << 20;
    /** A shell that really allocates: the command substitution holds the whole 200 MiB in memory. */
    private static final String ALLOCATE = "x=$(head -c %dm /dev/zero | tr '\\0' a); echo survived ${#x}";

    private final CgroupV1Driver driver = V1TestCgroups.driver();
    private final Procs procs = new Procs();
    private final List<CgroupRecord> created = new ArrayList<>();
    private static int ids;

    @BeforeAll
    static void banner() {
        V1TestCgroups.banner("OOM kill at --memory, --pids-limit fork bound, --cpu-quota share, --cpuset-cpus pinning, "
                + "memory update on a running process, devices EPERM");
    }

    @AfterEach
    void cleanUp() {
        procs.close();
        created.forEach(driver::destroy);
    }

    @AfterAll
    static void removeParent() {
        V1TestCgroups.removeParents();
    }

    private CgroupRecord create(Resources resources) {
        CgroupRecord record = driver.create("host" + ++ids + "-" + ProcessHandle.current().pid(), resources);
        created.add(record);
        return record;
    }

    private Process startIn(CgroupRecord record, String script, String... args) {
        Process process = procs.start(Procs.WAIT + script, args);
        driver.join(record, (int) process.pid());
        Procs.go(process);
        return process;
    }

    private static Resources resources(Resources.Memory memory, Resources.Cpu cpu, Long pids) {
        return new Resources(memory, cpu, pids, null, List.of());
    }

    /**
     * The parent gets cgroup.clone_children, so the kernel gives new leaves their CPUs and memory
     * nodes; when another driver instance removed the parent meanwhile (its deactivation), the one
     * made again gets it too, and a leaf is never left without them (a join would fail ENOSPC).
     */
    @Test
    void aLeafHasTheParentsCpusAndMemsAlsoAfterTheParentWasRemovedAndMadeAgain() throws Exception {
        Path parent = Hierarchies.under(V1TestCgroups.ROOT).mount("cpuset").resolve(V1TestCgroups.PARENT);
        for (int round = 0; round < 2; round++) {
            CgroupRecord record = create(resources(null, null, null));
            Path leaf = Path.of(record.paths().get("cpuset"));
            assertEquals(Files.readString(parent.resolve("cpuset.cpus")), Files.readString(leaf.resolve("cpuset.cpus")));
            assertEquals(Files.readString(parent.resolve("cpuset.mems")), Files.readString(leaf.resolve("cpuset.mems")));
            assertEquals("1", Files.readString(parent.resolve("cgroup.clone_children")).strip());
            Process sleeper = startIn(record, "exec sleep 1000");
            assertTrue(driver.pids(record).contains((int) sleeper.pid()), "joined: " + driver.pids(record));
            created.remove(record);
            driver.destroy(record);
            V1TestCgroups.driver().removeEmptyParent();   // another instance's deactivation
            assertFalse(Files.exists(parent), "the parent was not removed");
        }
    }

    @Test
    void aProcessAllocatingPastTheMemoryLimitIsOomKilledAndCounted() {
        CgroupRecord record = create(resources(new Resources.Memory(64 * MIB, null, null, null), null, null));
        assertEquals(64 * MIB, driver.stats(record).memoryLimit());
        assertEquals(0, driver.stats(record).oomKills());
        assertEquals(0, driver.oomKills(record));

        Process hog = startIn(record, String.format(ALLOCATE, 200));
        String output = Procs.finish(hog, 60);
        assertEquals(137, hog.exitValue(), "expected SIGKILL by the OOM killer, got: " + output);
        assertTrue(driver.stats(record).oomKills() >= 1, driver.stats(record).toString());
        assertEquals(driver.stats(record).oomKills(), driver.oomKills(record));
    }

    @Test
    void updatingTheMemoryLimitTakesEffectOnARunningProcess() {
        CgroupRecord record = create(resources(new Resources.Memory(256 * MIB, null, null, null), null, null));
        Process fits = startIn(record, String.format(ALLOCATE, 100));
        String output = Procs.finish(fits, 60);
        assertEquals(0, fits.exitValue(), "100 MiB should fit in 256 MiB: " + output);

        Process waiting = procs.start(Procs.WAIT + String.format(ALLOCATE, 100));
        driver.join(record, (int) waiting.pid());
        driver.update(record, resources(new Resources.Memory(64 * MIB, null, null, null), null, null));
        assertEquals(64 * MIB, driver.stats(record).memoryLimit());
        Procs.go(waiting);
        String killed = Procs.finish(waiting, 60);
        assertEquals(137, waiting.exitValue(), "100 MiB should not fit after the update to 64 MiB: " + killed);
        assertTrue(driver.stats(record).oomKills() >= 1);
    }

    @Test
    void aForkLoopHitsThePidsLimitAndStaysBounded() throws IOException {
        CgroupRecord record = create(resources(null, null, 20L));
        Process forker = startIn(record,
                "i=0; while [ $i -lt 100 ]; do sleep 1000 >/dev/null 2>&1 & i=$((i+1)); done; echo all forked");
        String output = Procs.finish(forker, 30);
        assertTrue(output.contains("Cannot fork"), "the 21st fork should fail with EAGAIN: " + output);
        CgroupStats stats = driver.stats(record);
        assertEquals(20, stats.pidsLimit());
        assertTrue(stats.pids() <= 20, stats.toString());
        assertTrue(driver.pids(record).size() >= 15, "the loop did fork up to the limit: " + driver.pids(record));
        String events = Files.readString(Path.of(record.paths().get("pids"), "pids.events"));
        assertTrue(events.matches("(?s)max [1-9].*"), "pids.events: " + events);
    }

    @Test
    void theParentGoesOnlyWhenNoContainerIsLeftInItAndComesBackWithTheNext() {
        CgroupRecord record = create(resources(null, null, null));
        List<Path> parents = record.paths().values().stream().map(p -> Path.of(p).getParent()).distinct().toList();
        driver.removeEmptyParent();
        parents.forEach(p -> assertTrue(Files.isDirectory(p), "kept while a container is in it: " + p));
        driver.destroy(record);
        created.remove(record);
        driver.removeEmptyParent();
        parents.forEach(p -> assertTrue(!Files.exists(p), "removed once empty: " + p));
        CgroupRecord next = create(resources(null, null, null));
        assertTrue(Files.isDirectory(Path.of(next.paths().get("memory"))), "the next container makes it again");
    }

    @Test
    void aCpuQuotaOfHalfACpuHoldsABusyLoopToHalf() throws IOException {
        CgroupRecord record = create(resources(null, new Resources.Cpu(null, 50_000L, 100_000L, null, null), null));
        startIn(record, "while :; do :; done");
        Procs.sleep(300); // past the first period
        long usage0 = driver.stats(record).cpuUsageNanos();
        long wall0 = System.nanoTime();
        Procs.sleep(3000);
        long used = driver.stats(record).cpuUsageNanos() - usage0;
        long wall = System.nanoTime() - wall0;
        double share = (double) used / wall;
        System.out.printf("[cgroup v1] busy loop under --cpu-quota 50000 --cpu-period 100000: %.1f%% of a CPU%n",
                share * 100);
        // the quota holds it at or under half a CPU, and it is the quota that does (the loop was
        // throttled); how far under depends on what else the 2 CPUs run, so that is not asserted
        assertTrue(share < 0.60, "expected at most 50% +- 10% of a CPU, measured " + share);
        String cpuStat = Files.readString(Path.of(record.paths().get("cpu")).resolve("cpu.stat"));
        java.util.regex.Matcher throttled = java.util.regex.Pattern.compile("nr_throttled (\\d+)").matcher(cpuStat);
        assertTrue(throttled.find() && Long.parseLong(throttled.group(1)) > 0, "never throttled: " + cpuStat);
    }

    @Test
    void aCpusetPinsTheProcess() throws IOException {
        Process outside = procs.start(Procs.WAIT + "exec sleep 1000");
        Procs.sleep(50);
        String before = cpusAllowed(outside.pid());
        assertTrue(!before.equals("0") || Runtime.getRuntime().availableProcessors() == 1, before);

        CgroupRecord record = create(resources(null, new Resources.Cpu(null, null, null, "0", "0"), null));
        Process pinned = startIn(record, "exec sleep 1000");
        assertTrue(Procs.await(5000, () -> "0".equals(cpusAllowed(pinned.pid()))),
                "Cpus_allowed_list: " + cpusAllowed(pinned.pid()));
        assertEquals("0", Files.readString(Path.of(record.paths().get("cpuset"), "cpuset.cpus")).strip());
    }

    private static String cpusAllowed(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
            return "";
        } catch (IOException e) {
            return "gone: " + e;
        }
    }

    @Test
    void openingADeviceNodeOutsideTheDefaultSetFailsWithEperm() throws IOException {
        try (DeviceNodes nodes = new DeviceNodes()) {
            String[] all = nodes.all().toArray(String[]::new);
            Process control = procs.start(DeviceNodes.OPEN_EACH, all);
            String outside = Procs.finish(control, 10);
            assertTrue(outside.contains(nodes.kmsgNode + ": opened"), "outside any cgroup kmsg opens: " + outside);

            CgroupRecord record = create(resources(null, null, null));
            Process inside = startIn(record, DeviceNodes.OPEN_EACH + "; mknod '" + nodes.dir().resolve("made")
                    + "' c 1 11 && echo mknod-ok", all);
            String output = Procs.finish(inside, 10);
            System.out.println("[cgroup v1] device opens inside the container's cgroup:\n" + output.strip());
            assertTrue(output.contains(nodes.nullNode + ": opened"), output);
            assertTrue(output.contains(nodes.zeroNode + ": opened"), output);
            assertTrue(output.contains(nodes.kmsgNode + ": Operation not permitted"), output);
            assertTrue(output.contains("mknod-ok"), "runc's defaults allow mknod of any node: " + output);
            if (nodes.diskNode != null) {
                assertTrue(output.contains(nodes.diskNode + ": Operation not permitted"), output);
            }
            assertEquals("c *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\n"
                    + "c 5:1 rwm\nc 5:2 rwm\nc 136:* rwm", sortedLikeDefaults(record));
        }
    }

    @Test
    void anUpdateOfTheDeviceRulesChangesOnlyTheDifference() throws IOException {
        try (DeviceNodes nodes = new DeviceNodes()) {
            CgroupRecord record = create(resources(null, null, null));
            driver.update(record, new Resources(null, null, null, null,
                    List.of(new Resources.DeviceRule(true, "c", 1L, 11L, "r"))));
            List<String> listed = Files.readAllLines(Path.of(record.paths().get("devices"), "devices.list"));
            assertTrue(listed.contains("c 1:11 r"), listed.toString());
            assertTrue(listed.contains("c 1:3 rwm"), listed.toString());
            Process inside = startIn(record, DeviceNodes.OPEN_EACH, nodes.kmsgNode.toString());
            assertTrue(Procs.finish(inside, 10).contains(nodes.kmsgNode + ": opened"));
        }
    }

    @Test
    void aRootWithoutV1HierarchiesFailsNamingThem(@TempDir Path empty) {
        KeelException e = assertThrows(KeelException.class, () -> new CgroupV1Driver(empty, "keel"));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("cgroup v1 driver: no cpu, cpuacct, cpuset, devices, freezer, memory, pids hierarchy under " + empty
                + " (found: none); this host does not mount cgroup v1 controllers there", e.getMessage());
    }

    private static String sortedLikeDefaults(CgroupRecord record) throws IOException {
        List<String> listed = Files.readAllLines(Path.of(record.paths().get("devices"), "devices.list"));
        return DeviceRules.DEFAULTS.stream().map(DeviceRules.Rule::kernelForm).filter(listed::contains)
                .reduce((a, b) -> a + "\n" + b).orElse("") + (listed.size() == DeviceRules.DEFAULTS.size() ? ""
                        : "\nand more: " + listed);
    }
}
