package keel.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.runtime.Resources;
import keel.cgroup.base.CpuList;
import keel.cgroup.base.DeviceRules;

class LimitsCheckTest {
    private static final long MIB = 1 << 20;
    private static final LimitsCheck.Host HOST = new LimitsCheck.Host(CpuList.parse("0-1"), CpuList.parse("0"), true);

    private static Resources memory(Long limit, Long reservation, Long swap) {
        return new Resources(new Resources.Memory(limit, reservation, swap, null), null, null, null, List.of());
    }

    private static Resources cpu(Long shares, Long quota, Long period, String cpus, String mems) {
        return new Resources(null, new Resources.Cpu(shares, quota, period, cpus, mems), null, null, List.of());
    }

    private static String error(Resources resources) {
        return error(resources, HOST, false);
    }

    private static String error(Resources resources, LimitsCheck.Host host, boolean update) {
        KeelException e = assertThrows(KeelException.class, () -> LimitsCheck.check(resources, host, update));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        return e.getMessage();
    }

    @Test
    void everyCheckedValueReachesTheLimits() {
        Resources all = new Resources(new Resources.Memory(64 * MIB, 32 * MIB, 128 * MIB, true),
                new Resources.Cpu(512L, 50_000L, 100_000L, "1", "0"), 20L, 500,
                List.of(new Resources.DeviceRule(true, "c", 10L, 200L, "rwm")));
        assertEquals(new Limits(64 * MIB, 32 * MIB, 128 * MIB, true, 512L, 50_000L, 100_000L, CpuList.parse("1"),
                CpuList.parse("0"), 20L, 500, DeviceRules.forContainer(List.of(new DeviceRules.Rule(true, 'c', 10, 200,
                        "rwm")))), LimitsCheck.check(all, HOST, false));
        assertEquals("invalid --memory 4k: the minimum is 6 MiB", error(memory(4096L, null, null)));
        assertNull(LimitsCheck.check(null, HOST, true).devices());
    }

    @Test
    void swapNeedsSwapAccounting() {
        LimitsCheck.Host noSwap = new LimitsCheck.Host(CpuList.parse("0-1"), CpuList.parse("0"), false);
        String message = error(memory(64 * MIB, null, 128 * MIB), noSwap, false);
        assertEquals("--memory-swap 128m: this kernel does not account swap (no memory.memsw.limit_in_bytes; boot it "
                + "with swapaccount=1)", message);
    }
}
