package keel.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.cgroup.CgroupRecord;
import keel.api.cgroup.CgroupStats;
import keel.api.runtime.Resources;
import keel.cgroup.base.DeviceRules;

/**
 * Limits and stats against a temporary tree in the cgroup2 file formats: this host's cgroup2 has
 * no memory, cpu, cpuset, io or pids controller, so what the driver writes there and what it
 * reads back are checked here, file by file, with values as the kernel writes them.
 */
class CgroupV2FileFormatTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;
    private final List<DeviceRules> guarded = new ArrayList<>();
    private CgroupV2Driver driver;

    @BeforeAll
    static void banner() {
        System.out.println("[cgroup v2] FILE-FORMAT ONLY (no such controllers on this host's cgroup2): "
                + "cgroup.subtree_control, memory.max, memory.swap.max, memory.low, cpu.weight, cpu.max, cpuset.cpus, "
                + "cpuset.mems, pids.max, io.weight, io.bfq.weight writes; memory.current, memory.max, cpu.stat, "
                + "pids.current, pids.max, io.stat, memory.events reads; cgroup.freeze/cgroup.events and cgroup.kill "
                + "formats");
    }

    @BeforeEach
    void tree() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(root.resolve("cpuset.cpus.effective"), "0-3\n");
        Files.writeString(root.resolve("cpuset.mems.effective"), "0\n");
        driver = new CgroupV2Driver(root, "keel", (dir, rules) -> guarded.add(rules));
    }

    private static Resources all() {
        return new Resources(new Resources.Memory(64 * MIB, 32 * MIB, 96 * MIB, null),
                new Resources.Cpu(1024L, 50_000L, 100_000L, "1-2", "0"), 20L, 500, List.of());
    }

    private String file(CgroupRecord record, String name) throws IOException {
        return Files.readString(Path.of(record.paths().get("unified"), name)).strip();
    }

    @Test
    void createWritesEveryLimitInTheV2Vocabulary() throws IOException {
        CgroupRecord record = driver.create("c1", all());
        assertEquals(Map.of("unified", root.resolve("keel/c1").toString()), record.paths());
        assertEquals("67108864", file(record, "memory.max"));
        assertEquals("33554432", file(record, "memory.swap.max")); // 96m memory+swap less 64m memory
        assertEquals("33554432", file(record, "memory.low"));
        assertEquals("39", file(record, "cpu.weight")); // 1 + (1024 - 2) * 9999 / 262142
        assertEquals("50000 100000", file(record, "cpu.max"));
        assertEquals("1-2", file(record, "cpuset.cpus"));
        assertEquals("0", file(record, "cpuset.mems"));
        assertEquals("20", file(record, "pids.max"));
        assertEquals("4950", file(record, "io.weight")); // 1 + (500 - 10) * 9999 / 990
        assertEquals(List.of(DeviceRules.forContainer(List.of())), guarded);
        // the controllers were enabled on the way down (each write is one "+name"; pids is the last)
        assertEquals("+pids", Files.readString(root.resolve("cgroup.subtree_control")));
        assertEquals("+pids", Files.readString(root.resolve("keel/cgroup.subtree_control")));
    }

    @Test
    void unlimitedValuesAreMax() throws IOException {
        CgroupRecord record = driver.create("c1", new Resources(new Resources.Memory(-1L, null, null, null),
                new Resources.Cpu(null, -1L, null, null, null), -1L, null, List.of()));
        assertEquals("max", file(record, "memory.max"));
        assertEquals("max", file(record, "memory.swap.max"));
        assertEquals("max 100000", file(record, "cpu.max"));
        assertEquals("max", file(record, "pids.max"));
    }

    @Test
    void aMissingControllerFailsNamingItAndMakesNothing() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu pids\n");
        KeelException e = assertThrows(KeelException.class, () -> driver.create("c1",
                new Resources(new Resources.Memory(64 * MIB, null, null, null), null, null, null, List.of())));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("--memory: this host's cgroup2 (" + root + ") has no memory controller (it has: cpu pids)",
                e.getMessage());
        assertFalse(Files.exists(root.resolve("keel/c1")));
    }

    @Test
    void oomKillDisableIsRefused() {
        KeelException e = assertThrows(KeelException.class, () -> driver.create("c1",
                new Resources(new Resources.Memory(null, null, null, true), null, null, null, List.of())));
        assertEquals("invalid --oom-kill-disable: cgroup v2 has no way to turn the OOM killer off", e.getMessage());
    }

    @Test
    void updateWritesOnlyWhatIsAskedAndSwapAloneUsesTheCurrentMemoryLimit() throws IOException {
        CgroupRecord record = driver.create("c1", all());
        driver.update(record, new Resources(new Resources.Memory(null, null, 128 * MIB, null), null, null, null,
                List.of()));
        assertEquals("67108864", file(record, "memory.max"));
        assertEquals("67108864", file(record, "memory.swap.max")); // 128m - the current 64m
        assertEquals(1, guarded.size(), "no device rules asked: the program stays");

        Files.writeString(Path.of(record.paths().get("unified"), "io.bfq.weight"), "default 100\n");
        driver.update(record, new Resources(null, null, null, 300, List.of()));
        assertEquals("300", file(record, "io.bfq.weight"));
    }

    @Test
    void statsAreReadFromTheKernelsFormats() throws IOException {
        CgroupRecord record = driver.create("c1", all());
        Path leaf = Path.of(record.paths().get("unified"));
        Files.writeString(leaf.resolve("cpu.stat"), "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n"
                + "nr_periods 10\nnr_throttled 2\nthrottled_usec 3000\n");
        Files.writeString(leaf.resolve("memory.current"), "52428800\n");
        Files.writeString(leaf.resolve("pids.current"), "7\n");
        Files.writeString(leaf.resolve("io.stat"), "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                + "253:0 rbytes=100 wbytes=1 rios=1 wios=1 dbytes=0 dios=0\n");
        Files.writeString(leaf.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n");
        assertEquals(new CgroupStats(1_500_000_000L, 50 * MIB, 64 * MIB, 7, 20, 4196, 8193, 2), driver.stats(record));

        Files.writeString(leaf.resolve("memory.max"), "max\n");
        Files.writeString(leaf.resolve("pids.max"), "max\n");
        CgroupStats unlimited = driver.stats(record);
        assertEquals(Long.MAX_VALUE, unlimited.memoryLimit());
        assertEquals(0, unlimited.pidsLimit());
    }

    @Test
    void freezeWritesCgroupFreezeAndWaitsForCgroupEvents() throws IOException {
        CgroupRecord record = driver.create("c1", all());
        Path leaf = Path.of(record.paths().get("unified"));
        Files.writeString(leaf.resolve("cgroup.events"), "populated 1\nfrozen 1\n");
        driver.freeze(record);
        assertEquals("1", file(record, "cgroup.freeze"));
        Files.writeString(leaf.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
        driver.thaw(record);
        assertEquals("0", file(record, "cgroup.freeze"));
    }

    @Test
    void sigkillUsesCgroupKillAndDestroyRemovesTheLeaf() throws IOException {
        CgroupRecord record = driver.create("c1", all());
        Path leaf = Path.of(record.paths().get("unified"));
        Files.writeString(leaf.resolve("cgroup.kill"), "");
        Files.writeString(leaf.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
        driver.killAll(record, 9);
        assertEquals("1", file(record, "cgroup.kill"));
        driver.destroy(record);
        assertFalse(Files.exists(leaf));
        assertTrue(Files.isDirectory(root.resolve("keel")), "the parent stays");
    }
}
