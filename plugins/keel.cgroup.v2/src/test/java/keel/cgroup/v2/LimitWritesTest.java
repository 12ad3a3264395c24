package keel.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import keel.api.KeelException;
import keel.cgroup.base.CpuList;

class LimitWritesTest {
    private static final long MIB = 1 << 20;

    @ParameterizedTest
    @CsvSource({"2,1", "1024,39", "512,20", "262144,10000", "100,4"})
    void sharesBecomeCpuWeightAsRuncAndCrunConvertThem(long shares, long weight) {
        assertEquals(weight, LimitWrites.cpuWeight(shares));
    }

    @ParameterizedTest
    @CsvSource({"10,1", "100,910", "500,4950", "1000,10000"})
    void blkioWeightBecomesIoWeight(long blkio, long io) {
        assertEquals(io, LimitWrites.ioWeight(blkio));
    }

    @Test
    void memoryPlusSwapBecomesSwapAlone() {
        assertEquals("33554432", LimitWrites.swapMax(96 * MIB, 64 * MIB));
        assertEquals("0", LimitWrites.swapMax(64 * MIB, 64 * MIB));
        assertEquals("max", LimitWrites.swapMax(-1L, 64 * MIB));
        assertEquals("max", LimitWrites.swapMax(null, -1));
        assertNull(LimitWrites.swapMax(null, 64 * MIB));
        assertEquals("invalid --memory-swap 96m: it needs a --memory limit too",
                assertThrows(KeelException.class, () -> LimitWrites.swapMax(96 * MIB, -1)).getMessage());
        assertEquals("invalid --memory-swap 32m: --memory-swap must be at least --memory (64m)",
                assertThrows(KeelException.class, () -> LimitWrites.swapMax(32 * MIB, 64 * MIB)).getMessage());
    }

    private static List<String> plan(Limits limits, long currentMemory, boolean bfq, boolean swap) {
        return LimitWrites.plan(limits, currentMemory, bfq, swap).stream().map(w -> w.file() + "=" + w.value())
                .toList();
    }

    @Test
    void everyLimitGoesToItsV2File() {
        Limits limits = new Limits(64 * MIB, 32 * MIB, 128 * MIB, 1024L, 50_000L, 100_000L, CpuList.parse("0"),
                CpuList.parse("0"), 20L, 100, null);
        assertEquals(List.of("memory.max=67108864", "memory.swap.max=67108864", "memory.low=33554432",
                "cpu.weight=39", "cpu.max=50000 100000", "cpuset.cpus=0", "cpuset.mems=0", "pids.max=20",
                "io.weight=910"), plan(limits, -1, false, true));
        assertEquals("io.bfq.weight=100", plan(limits, -1, true, true).get(8));
    }

    @Test
    void quotaWithoutPeriodUsesTheDefaultPeriodAndPeriodAloneLiftsTheQuota() {
        assertEquals(List.of("cpu.max=25000 100000"), plan(new Limits(null, null, null, null, 25_000L, null, null,
                null, null, null, null), -1, false, true));
        assertEquals(List.of("cpu.max=max 50000"), plan(new Limits(null, null, null, null, null, 50_000L, null,
                null, null, null, null), -1, false, true));
    }

    @Test
    void swapWithoutSwapAccountingFails() {
        Limits limits = new Limits(64 * MIB, null, 128 * MIB, null, null, null, null, null, null, null, null);
        assertEquals("--memory-swap 128m: this kernel does not account swap (no memory.swap.max)",
                assertThrows(KeelException.class, () -> plan(limits, -1, false, false)).getMessage());
        // a memory limit alone does not need it
        assertEquals(List.of("memory.max=67108864"), plan(new Limits(64 * MIB, null, null, null, null, null, null,
                null, null, null, null), -1, false, false));
    }
}
