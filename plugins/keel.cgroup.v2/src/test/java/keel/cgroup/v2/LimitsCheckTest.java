package keel.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.runtime.Resources;
import keel.cgroup.base.CpuList;
import keel.cgroup.base.DeviceRules;

class LimitsCheckTest {
    private static final long MIB = 1 << 20;
    private static final LimitsCheck.Host HOST = new LimitsCheck.Host(CpuList.parse("0-1"), CpuList.parse("0"),
            Set.of("cpu", "cpuset", "io", "memory", "pids"), "/sys/fs/cgroup");

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
        Resources all = new Resources(new Resources.Memory(64 * MIB, 32 * MIB, 128 * MIB, false),
                new Resources.Cpu(512L, 50_000L, 100_000L, "1", "0"), 20L, 500,
                List.of(new Resources.DeviceRule(true, "c", 10L, 200L, "rwm")));
        assertEquals(new Limits(64 * MIB, 32 * MIB, 128 * MIB, 512L, 50_000L, 100_000L, CpuList.parse("1"),
                CpuList.parse("0"), 20L, 500, DeviceRules.forContainer(List.of(new DeviceRules.Rule(true, 'c', 10, 200,
                        "rwm")))), LimitsCheck.check(all, HOST, false));
        assertEquals("invalid --memory 4k: the minimum is 6 MiB", error(memory(4096L, null, null)));
        assertNull(LimitsCheck.check(null, HOST, true).devices());
    }

    @Test
    void eachLimitNeedsItsController() {
        LimitsCheck.Host bare = new LimitsCheck.Host(CpuList.parse("0-1"), CpuList.parse("0"), Set.of("hugetlb"),
                "/sys/fs/cgroup/unified");
        assertEquals("--memory: this host's cgroup2 (/sys/fs/cgroup/unified) has no memory controller (it has: hugetlb)",
                error(memory(64 * MIB, null, null), bare, false));
        assertEquals("--cpu-shares: this host's cgroup2 (/sys/fs/cgroup/unified) has no cpu controller (it has: "
                + "hugetlb)", error(cpu(512L, null, null, null, null), bare, false));
        assertEquals("--cpuset-cpus: this host's cgroup2 (/sys/fs/cgroup/unified) has no cpuset controller (it has: "
                + "hugetlb)", error(cpu(null, null, null, "0", null), bare, false));
        assertEquals("--pids-limit: this host's cgroup2 (/sys/fs/cgroup/unified) has no pids controller (it has: "
                + "hugetlb)", error(new Resources(null, null, 20L, null, List.of()), bare, false));
        assertEquals("--blkio-weight: this host's cgroup2 (/sys/fs/cgroup/unified) has no io controller (it has: "
                + "hugetlb)", error(new Resources(null, null, null, 100, List.of()), bare, false));
        // values are checked before the host: a bad value is named as such everywhere
        assertEquals("invalid --memory 4k: the minimum is 6 MiB", error(memory(4096L, null, null), bare, false));
        // device rules need no controller
        LimitsCheck.check(null, bare, false);
    }

    @Test
    void oomKillDisableIsRefusedButFalseIsFine() {
        assertEquals("invalid --oom-kill-disable: cgroup v2 has no way to turn the OOM killer off",
                error(new Resources(new Resources.Memory(null, null, null, true), null, null, null, List.of())));
        LimitsCheck.check(new Resources(new Resources.Memory(null, null, null, false), null, null, null, List.of()),
                HOST, false);
    }
}
