package keel.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import keel.cgroup.base.CpuList;

class LimitWritesTest {
    private static final long MIB = 1 << 20;

    private static Limits limits(Long memory, Long reservation, Long swap, Boolean oom, Long shares, Long quota,
            Long period, String cpus, String mems, Long pids, Integer blkio) {
        return new Limits(memory, reservation, swap, oom, shares, quota, period, cpus == null ? null
                : CpuList.parse(cpus), mems == null ? null : CpuList.parse(mems), pids, blkio, null);
    }

    private static List<String> plan(Limits limits, long currentMemory, boolean swap, String blkioFile) {
        return LimitWrites.plan(limits, currentMemory, swap, blkioFile).stream()
                .map(w -> w.controller() + "/" + w.file() + "=" + w.value()).toList();
    }

    @Test
    void everyLimitGoesToItsV1File() {
        Limits all = limits(64 * MIB, 32 * MIB, 128 * MIB, true, 512L, 50_000L, 100_000L, "0", "0", 20L, 500);
        // a fresh cgroup has no limits: memory first fits under the unlimited memory+swap
        assertEquals(List.of(
                "memory/memory.limit_in_bytes=67108864",
                "memory/memory.memsw.limit_in_bytes=134217728",
                "memory/memory.soft_limit_in_bytes=33554432",
                "memory/memory.oom_control=1",
                "cpu/cpu.shares=512",
                "cpu/cpu.cfs_period_us=100000",
                "cpu/cpu.cfs_quota_us=50000",
                "cpuset/cpuset.cpus=0",
                "cpuset/cpuset.mems=0",
                "pids/pids.max=20",
                "blkio/blkio.bfq.weight=500"), plan(all, Long.MAX_VALUE - 4095, true, "blkio.bfq.weight"));
    }

    @Test
    void memoryAndSwapAreOrderedSoThatMemoryNeverExceedsMemoryPlusSwap() {
        // shrinking below the current limit: memory first, then memory+swap
        assertEquals(List.of("memory/memory.limit_in_bytes=67108864", "memory/memory.memsw.limit_in_bytes=100663296"),
                plan(limits(64 * MIB, null, 96 * MIB, null, null, null, null, null, null, null, null), 256 * MIB, true,
                        null));
        // growing: memory+swap first
        assertEquals(List.of("memory/memory.memsw.limit_in_bytes=1073741824", "memory/memory.limit_in_bytes=536870912"),
                plan(limits(512 * MIB, null, 1024 * MIB, null, null, null, null, null, null, null, null), 256 * MIB,
                        true, null));
    }

    @Test
    void noMemoryLimitLiftsMemoryPlusSwapToo() {
        assertEquals(List.of("memory/memory.memsw.limit_in_bytes=-1", "memory/memory.limit_in_bytes=-1"),
                plan(limits(-1L, null, null, null, null, null, null, null, null, null, null), 64 * MIB, true, null));
        assertEquals(List.of("memory/memory.limit_in_bytes=-1"),
                plan(limits(-1L, null, null, null, null, null, null, null, null, null, null), 64 * MIB, false, null));
    }

    @Test
    void unlimitedPidsAndQuota() {
        assertEquals(List.of("cpu/cpu.cfs_quota_us=-1", "pids/pids.max=max"),
                plan(limits(null, null, null, null, null, -1L, null, null, null, -1L, null), 0, true, null));
    }

    @Test
    void blkioWeightUsesTheFileTheKernelHas() {
        assertEquals(List.of("blkio/blkio.weight=300"),
                plan(limits(null, null, null, null, null, null, null, null, null, null, 300), 0, true, "blkio.weight"));
    }

    @Test
    void nothingToWriteForNothingAsked() {
        assertEquals(List.of(), plan(limits(null, null, null, null, null, null, null, null, null, null, null), 0,
                true, null));
    }
}
