package keel.cgroup.v2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import keel.api.KeelException;
import keel.api.runtime.Resources;

/**
 * Validates OCI resources into {@link Limits} before anything is made, naming the docker flag and
 * the value in every error (Docker's own bounds: 6 MiB of memory at least, CFS period 1 ms to 1 s,
 * quota 1 ms at least, shares 2-262144, blkio weight 10-1000), then that the host's cgroup2 has
 * the controller each asked limit needs.
 */
final class LimitsCheck {
    static final long MIN_MEMORY = 6 * ByteSize.MIB;

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
        if (resources == null) {
            resources = new Resources(null, null, null, null, List.of());
        }
        Resources.Memory memory = resources.memory() == null ? new Resources.Memory(null, null, null, null)
                : resources.memory();
        Resources.Cpu cpu = resources.cpu() == null ? new Resources.Cpu(null, null, null, null, null) : resources.cpu();

        Long limit = memoryBytes("--memory", memory.limit());
        Long reservation = memoryBytes("--memory-reservation", memory.reservation());
        if (limit != null && limit > 0 && reservation != null && reservation > limit) {
            throw KeelException.invalid("invalid --memory-reservation %s: it must not exceed --memory %s",
                    ByteSize.format(reservation), ByteSize.format(limit));
        }
        Long swap = swap(memory.swap(), limit, update);
        if (Boolean.TRUE.equals(memory.disableOomKiller())) {
            throw KeelException.invalid("invalid --oom-kill-disable: cgroup v2 has no way to turn the OOM killer off");
        }

        Long shares = range("--cpu-shares", cpu.shares(), 2, 262_144, "");
        Long period = range("--cpu-period", cpu.period(), 1000, 1_000_000, " microseconds (1 ms to 1 s)");
        Long quota = quota(cpu.quota());
        CpuList cpus = cpuset("--cpuset-cpus", cpu.cpus(), host.cpus(), "CPUs");
        CpuList mems = cpuset("--cpuset-mems", cpu.mems(), host.mems(), "memory nodes");

        Long pids = pids(resources.pidsLimit());
        Long blkio = range("--blkio-weight", resources.blkioWeight() == null ? null
                : resources.blkioWeight().longValue(), 10, 1000, "");

        DeviceRules devices = update && resources.devices().isEmpty() ? null : devices(resources.devices());
        Limits limits = new Limits(limit, reservation, swap, shares, quota, period, cpus, mems, pids,
                blkio == null ? null : blkio.intValue(), devices);
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

    /** Null or 0: unset; -1: no limit; below 6 MiB or negative: an error. */
    private static Long memoryBytes(String flag, Long value) {
        if (value == null || value == 0) {
            return null;
        }
        if (value < -1) {
            throw KeelException.invalid("invalid %s %s: it must be positive, or -1 for no limit", flag, value);
        }
        if (value != -1 && value < MIN_MEMORY) {
            throw KeelException.invalid("invalid %s %s: the minimum is 6 MiB", flag, ByteSize.format(value));
        }
        return value;
    }

    private static Long swap(Long swap, Long limit, boolean update) {
        if (swap == null || swap == 0) {
            return null;
        }
        if (swap < -1) {
            throw KeelException.invalid("invalid --memory-swap %s: it must be positive, or -1 for unlimited swap",
                    swap);
        }
        if (swap == -1) {
            return swap;
        }
        if (limit == null && !update || limit != null && limit == -1) {
            throw KeelException.invalid("invalid --memory-swap %s: it needs a --memory limit too",
                    ByteSize.format(swap));
        }
        if (limit != null && swap < limit) {
            throw KeelException.invalid("invalid --memory-swap %s: --memory-swap must be at least --memory (%s)",
                    ByteSize.format(swap), ByteSize.format(limit));
        }
        return swap;
    }

    private static Long range(String flag, Long value, long min, long max, String unit) {
        if (value == null || value == 0) {
            return null;
        }
        if (value < 0) {
            throw KeelException.invalid("invalid %s %d: it must not be negative", flag, value);
        }
        if (value < min || value > max) {
            throw KeelException.invalid("invalid %s %d: the range is %d-%d%s", flag, value, min, max, unit);
        }
        return value;
    }

    private static Long quota(Long quota) {
        if (quota == null || quota == 0) {
            return null;
        }
        if (quota < -1) {
            throw KeelException.invalid("invalid --cpu-quota %d: it must be positive, or -1 for no limit", quota);
        }
        if (quota != -1 && quota < 1000) {
            throw KeelException.invalid("invalid --cpu-quota %d: the minimum is 1000 microseconds (1 ms)", quota);
        }
        return quota;
    }

    private static CpuList cpuset(String flag, String text, CpuList host, String what) {
        if (text == null) {
            return null;
        }
        CpuList list;
        try {
            list = CpuList.parse(text);
        } catch (IllegalArgumentException e) {
            throw KeelException.invalid("invalid %s '%s': expected a list such as 0-2,4", flag, text);
        }
        if (list.isEmpty()) {
            throw KeelException.invalid("invalid %s '%s': expected a list such as 0-2,4", flag, text);
        }
        if (!host.containsAll(list)) {
            throw KeelException.invalid("%s %s: this host has %s %s", flag, text, what, host);
        }
        return list;
    }

    /** Docker's convention: 0 and -1 mean no limit. */
    private static Long pids(Long limit) {
        if (limit == null) {
            return null;
        }
        if (limit < -1) {
            throw KeelException.invalid("invalid --pids-limit %d: it must be positive, or -1 for no limit", limit);
        }
        return limit == 0 ? -1L : limit;
    }

    private static DeviceRules devices(List<Resources.DeviceRule> requested) {
        List<DeviceRules.Rule> rules = new ArrayList<>();
        for (Resources.DeviceRule rule : requested) {
            rules.add(rule(rule));
        }
        try {
            return DeviceRules.forContainer(rules);
        } catch (IllegalArgumentException e) {
            throw KeelException.invalid("invalid --device-cgroup-rule: %s", e.getMessage());
        }
    }

    private static DeviceRules.Rule rule(Resources.DeviceRule rule) {
        String shown = String.format("'%s %s:%s %s'", rule.type(), number(rule.major()), number(rule.minor()),
                rule.access());
        if (rule.type() == null || !List.of("a", "b", "c").contains(rule.type())) {
            throw KeelException.invalid("invalid --device-cgroup-rule %s: the type must be a, b or c", shown);
        }
        for (Long number : new Long[] {rule.major(), rule.minor()}) {
            if (number != null && (number < 0 || number > 0xFFFF_FFFFL)) {
                throw KeelException.invalid("invalid --device-cgroup-rule %s: major and minor must be 0-4294967295 "
                        + "or * for any", shown);
            }
        }
        try {
            return new DeviceRules.Rule(rule.allow(), rule.type().charAt(0),
                    rule.major() == null ? DeviceRules.ANY : rule.major(),
                    rule.minor() == null ? DeviceRules.ANY : rule.minor(),
                    rule.access() == null ? "rwm" : rule.access());
        } catch (IllegalArgumentException e) {
            throw KeelException.invalid("invalid --device-cgroup-rule %s: the access must be made of r, w and m",
                    shown);
        }
    }

    private static String number(Long value) {
        return value == null ? "*" : value.toString();
    }
}
