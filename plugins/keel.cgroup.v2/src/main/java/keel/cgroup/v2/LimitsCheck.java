package keel.cgroup.v2;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import keel.api.KeelException;
import keel.api.runtime.Resources;
import keel.cgroup.base.CpuList;
import keel.cgroup.base.ResourcesCheck;

/**
 * Validates OCI resources into {@link Limits} before anything is made ({@link ResourcesCheck}), naming the docker flag and
 * the value in every error (Docker's own bounds: 6 MiB of memory at least, CFS period 1 ms to 1 s,
 * quota 1 ms at least, shares 2-262144, blkio weight 10-1000), then that the host's cgroup2 has
 * the controller each asked limit needs.
 */
final class LimitsCheck {
    /**
     * What the host offers, for the checks that depend on it.
     *
     * @param cpus the CPUs a container may use
     * @param mems the memory nodes a container may use
     * @param controllers the controllers of the cgroup2 root (cgroup.controllers)
     * @param root the cgroup2 root, for messages
     */
    record Host(CpuList cpus, CpuList mems, Set<String> controllers, String root) {
    }

    private LimitsCheck() {
    }

    /**
     * @param update true for {@code update}: an empty device list then leaves the rules as they are,
     *        and --memory-swap may come without --memory
     */
    static Limits check(Resources resources, Host host, boolean update) {
        ResourcesCheck.Checked c = ResourcesCheck.check(resources, host.cpus(), host.mems(), update, (memory, swap) -> {
            if (Boolean.TRUE.equals(memory.disableOomKiller())) {
                throw KeelException.invalid("invalid --oom-kill-disable: cgroup v2 has no way to turn the OOM killer off");
            }
        });
        Limits limits = new Limits(c.memory(), c.reservation(), c.memorySwap(), c.cpuShares(), c.cpuQuota(),
                c.cpuPeriod(), c.cpus(), c.mems(), c.pids(), c.blkioWeight(), c.devices());
        requireControllers(limits, host);
        return limits;
    }

    /** The controller each asked limit needs, by the flag that asked it. */
    static Map<String, String> controllersNeeded(Limits limits) {
        Map<String, String> needed = new LinkedHashMap<>();
        need(needed, limits.memory(), "--memory", "memory");
        need(needed, limits.reservation(), "--memory-reservation", "memory");
        need(needed, limits.memorySwap(), "--memory-swap", "memory");
        need(needed, limits.cpuShares(), "--cpu-shares", "cpu");
        need(needed, limits.cpuQuota(), "--cpu-quota", "cpu");
        need(needed, limits.cpuPeriod(), "--cpu-period", "cpu");
        need(needed, limits.cpus(), "--cpuset-cpus", "cpuset");
        need(needed, limits.mems(), "--cpuset-mems", "cpuset");
        need(needed, limits.pids(), "--pids-limit", "pids");
        need(needed, limits.blkioWeight(), "--blkio-weight", "io");
        return needed;
    }

    private static void need(Map<String, String> needed, Object value, String flag, String controller) {
        if (value != null) {
            needed.put(flag, controller);
        }
    }

    private static void requireControllers(Limits limits, Host host) {
        controllersNeeded(limits).forEach((flag, controller) -> {
            if (!host.controllers().contains(controller)) {
                throw KeelException.invalid("%s: this host's cgroup2 (%s) has no %s controller (it has: %s)", flag,
                        host.root(), controller, host.controllers().isEmpty() ? "none"
                                : String.join(" ", new java.util.TreeSet<>(host.controllers())));
            }
        });
    }
}
