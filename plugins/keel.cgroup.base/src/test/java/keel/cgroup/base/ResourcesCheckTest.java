package keel.cgroup.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.runtime.Resources;

class ResourcesCheckTest {
    private static final long MIB = 1 << 20;
    private static final CpuList HOST_CPUS = CpuList.parse("0-1");
    private static final CpuList HOST_MEMS = CpuList.parse("0");

    private static Resources memory(Long limit, Long reservation, Long swap) {
        return new Resources(new Resources.Memory(limit, reservation, swap, null), null, null, null, List.of());
    }

    private static Resources cpu(Long shares, Long quota, Long period, String cpus, String mems) {
        return new Resources(null, new Resources.Cpu(shares, quota, period, cpus, mems), null, null, List.of());
    }

    private static ResourcesCheck.Checked check(Resources resources, boolean update) {
        return ResourcesCheck.check(resources, HOST_CPUS, HOST_MEMS, update, (memory, swap) -> {
        });
    }

    private static String error(Resources resources) {
        KeelException e = assertThrows(KeelException.class, () -> check(resources, false));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        return e.getMessage();
    }

    @Test
    void memoryErrorsNameTheFlagAndTheValue() {
        assertEquals("invalid --memory 4k: the minimum is 6 MiB", error(memory(4096L, null, null)));
        assertEquals("invalid --memory -5: it must be positive, or -1 for no limit", error(memory(-5L, null, null)));
        assertEquals("invalid --memory-reservation 1m: the minimum is 6 MiB", error(memory(null, MIB, null)));
        assertEquals("invalid --memory-reservation 256m: it must not exceed --memory 128m",
                error(memory(128 * MIB, 256 * MIB, null)));
        assertEquals("invalid --memory-swap 64m: --memory-swap must be at least --memory (128m)",
                error(memory(128 * MIB, null, 64 * MIB)));
        assertEquals("invalid --memory-swap 1g: it needs a --memory limit too", error(memory(null, null, 1L << 30)));
        assertEquals("invalid --memory-swap -2: it must be positive, or -1 for unlimited swap",
                error(memory(128 * MIB, null, -2L)));
    }

    @Test
    void memoryValuesPassThrough() {
        ResourcesCheck.Checked limits = check(memory(64 * MIB, 32 * MIB, 128 * MIB), false);
        assertEquals(64 * MIB, limits.memory());
        assertEquals(32 * MIB, limits.reservation());
        assertEquals(128 * MIB, limits.memorySwap());
        ResourcesCheck.Checked unlimited = check(memory(-1L, null, -1L), false);
        assertEquals(-1L, unlimited.memory());
        assertEquals(-1L, unlimited.memorySwap());
        ResourcesCheck.Checked unset = check(memory(0L, 0L, 0L), false);
        assertNull(unset.memory());
        assertNull(unset.memorySwap());
        assertEquals(6 * MIB, check(memory(6 * MIB, null, null), false).memory());
    }

    @Test
    void anUpdateMayChangeSwapAlone() {
        assertEquals(1L << 30, check(memory(null, null, 1L << 30), true).memorySwap());
    }

    @Test
    void theDriversMemoryCheckRunsAfterTheMemoryValuesAndBeforeTheCpuValues() {
        List<String> seen = new java.util.ArrayList<>();
        ResourcesCheck.check(memory(64 * MIB, null, 128 * MIB), HOST_CPUS, HOST_MEMS, false,
                (memory, swap) -> seen.add(memory.limit() + " " + swap));
        assertEquals(List.of(64 * MIB + " " + 128 * MIB), seen);
        ResourcesCheck.MemoryCheck refuse = (memory, swap) -> {
            throw KeelException.invalid("refused by the driver");
        };
        Resources badMemory = new Resources(new Resources.Memory(4096L, null, null, null),
                new Resources.Cpu(1L, null, null, null, null), null, null, List.of());
        assertEquals("invalid --memory 4k: the minimum is 6 MiB", assertThrows(KeelException.class,
                () -> ResourcesCheck.check(badMemory, HOST_CPUS, HOST_MEMS, false, refuse)).getMessage());
        Resources badCpu = new Resources(new Resources.Memory(null, null, null, true),
                new Resources.Cpu(1L, null, null, null, null), null, null, List.of());
        assertEquals("refused by the driver", assertThrows(KeelException.class,
                () -> ResourcesCheck.check(badCpu, HOST_CPUS, HOST_MEMS, false, refuse)).getMessage());
        assertEquals(true, check(new Resources(new Resources.Memory(null, null, null, true), null, null, null,
                List.of()), false).oomKillDisable());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1|invalid --cpu-shares 1: the range is 2-262144",
            "262145|invalid --cpu-shares 262145: the range is 2-262144",
            "-3|invalid --cpu-shares -3: it must not be negative"})
    void cpuShares(long shares, String message) {
        assertEquals(message, error(cpu(shares, null, null, null, null)));
    }

    @Test
    void cpuQuotaAndPeriod() {
        assertEquals("invalid --cpu-period 500: the range is 1000-1000000 microseconds (1 ms to 1 s)",
                error(cpu(null, null, 500L, null, null)));
        assertEquals("invalid --cpu-period 2000000: the range is 1000-1000000 microseconds (1 ms to 1 s)",
                error(cpu(null, null, 2_000_000L, null, null)));
        assertEquals("invalid --cpu-quota 999: the minimum is 1000 microseconds (1 ms)",
                error(cpu(null, 999L, null, null, null)));
        assertEquals("invalid --cpu-quota -7: it must be positive, or -1 for no limit",
                error(cpu(null, -7L, null, null, null)));
        ResourcesCheck.Checked limits = check(cpu(1024L, 50_000L, 100_000L, null, null), false);
        assertEquals(1024L, limits.cpuShares());
        assertEquals(50_000L, limits.cpuQuota());
        assertEquals(100_000L, limits.cpuPeriod());
        assertEquals(-1L, check(cpu(null, -1L, null, null, null), false).cpuQuota());
    }

    @Test
    void cpusets() {
        assertEquals("invalid --cpuset-cpus 'a-b': expected a list such as 0-2,4",
                error(cpu(null, null, null, "a-b", null)));
        assertEquals("invalid --cpuset-cpus '': expected a list such as 0-2,4", error(cpu(null, null, null, "", null)));
        assertEquals("--cpuset-cpus 0-9: this host has CPUs 0-1", error(cpu(null, null, null, "0-9", null)));
        assertEquals("--cpuset-mems 1: this host has memory nodes 0", error(cpu(null, null, null, null, "1")));
        assertEquals("invalid --cpuset-mems '0,': expected a list such as 0-2,4",
                error(cpu(null, null, null, null, "0,")));
        ResourcesCheck.Checked limits = check(cpu(null, null, null, "1,0", "0"), false);
        assertEquals("0-1", limits.cpus().toString());
        assertEquals("0", limits.mems().toString());
    }

    @Test
    void pidsAndBlkio() {
        assertEquals("invalid --pids-limit -5: it must be positive, or -1 for no limit",
                error(new Resources(null, null, -5L, null, List.of())));
        assertEquals(-1L, check(new Resources(null, null, 0L, null, List.of()), false).pids());
        assertEquals(-1L, check(new Resources(null, null, -1L, null, List.of()), false).pids());
        assertEquals(20L, check(new Resources(null, null, 20L, null, List.of()), false).pids());
        assertEquals("invalid --blkio-weight 5: the range is 10-1000",
                error(new Resources(null, null, null, 5, List.of())));
        assertEquals("invalid --blkio-weight 1001: the range is 10-1000",
                error(new Resources(null, null, null, 1001, List.of())));
        assertEquals("invalid --blkio-weight -1: it must not be negative",
                error(new Resources(null, null, null, -1, List.of())));
        assertEquals(500, check(new Resources(null, null, null, 500, List.of()), false)
                .blkioWeight());
    }

    @Test
    void deviceRules() {
        assertEquals("invalid --device-cgroup-rule 'x 1:3 rwm': the type must be a, b or c", error(new Resources(null,
                null, null, null, List.of(new Resources.DeviceRule(true, "x", 1L, 3L, "rwm")))));
        assertEquals("invalid --device-cgroup-rule 'c 1:3 rwx': the access must be made of r, w and m",
                error(new Resources(null, null, null, null,
                        List.of(new Resources.DeviceRule(true, "c", 1L, 3L, "rwx")))));
        assertEquals("invalid --device-cgroup-rule 'c -1:3 rw': major and minor must be 0-4294967295 or * for any",
                error(new Resources(null, null, null, null,
                        List.of(new Resources.DeviceRule(true, "c", -1L, 3L, "rw")))));
        String hole = error(new Resources(null, null, null, null,
                List.of(new Resources.DeviceRule(false, "c", 136L, 0L, "rw"))));
        assertEquals("invalid --device-cgroup-rule: rule 'c 136:0 rw' would punch a hole in 'c 136:* rwm', which the "
                + "devices cgroup cannot do", hole);
    }

    @Test
    void devicesDefaultOnCreateAndStayOnAnUpdateWithoutRules() {
        assertEquals(DeviceRules.forContainer(List.of()), check(null, false).devices());
        assertNull(check(null, true).devices());
        ResourcesCheck.Checked added = check(new Resources(null, null, null, null,
                List.of(new Resources.DeviceRule(true, "c", 10L, 200L, "rwm"))), true);
        assertEquals(DeviceRules.forContainer(List.of(new DeviceRules.Rule(true, 'c', 10, 200, "rwm"))),
                added.devices());
    }
}
