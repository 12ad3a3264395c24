package keel.cgroup.base;

import java.util.ArrayList;
import java.util.List;

import keel.api.KeelException;
import keel.api.runtime.Resources;

/**
 * Validates OCI resources before anything is made, naming the docker flag and the value in every
 * error (Docker's own bounds: 6 MiB of memory at least, CFS period 1 ms to 1 s, quota 1 ms at least,
 * shares 2-262144, blkio weight 10-1000). Each driver turns the result into its own limits and adds
 * the checks only its cgroup version needs.
 */
public final class ResourcesCheck {
    public static final long MIN_MEMORY = 6 * ByteSize.MIB;

    /**
     * A driver's check of the memory settings, run right after the memory values are validated
     * (before the CPU ones), so that its error comes in the same order as the others.
     */
    @FunctionalInterface
    public interface MemoryCheck {
        /**
         * @param memory the asked memory settings (never null)
         * @param swap the validated memory+swap, or null for unset
         */
        void check(Resources.Memory memory, Long swap);
    }

    /**
     * The validated values; null for what was not asked.
     *
     * @param memory the memory limit, -1 for none
     * @param reservation the soft memory limit, -1 for none
     * @param memorySwap memory plus swap, -1 for unlimited swap
     * @param oomKillDisable as asked
     * @param cpuShares 2-262144
     * @param cpuQuota microseconds, at least 1000, -1 for none
     * @param cpuPeriod microseconds, 1000-1000000
     * @param cpus within the host's CPUs
     * @param mems within the host's memory nodes
     * @param pids the pids limit, -1 for none
     * @param blkioWeight 10-1000
     * @param devices the container's device rules; null on an update without rules
     */
    public record Checked(Long memory, Long reservation, Long memorySwap, Boolean oomKillDisable, Long cpuShares,
            Long cpuQuota, Long cpuPeriod, CpuList cpus, CpuList mems, Long pids, Integer blkioWeight,
            DeviceRules devices) {
    }

    private ResourcesCheck() {
    }

    /**
     * @param hostCpus the CPUs a container may use
     * @param hostMems the memory nodes a container may use
     * @param update true for {@code update}: an empty device list then leaves the rules as they are,
     *        and --memory-swap may come without --memory
     * @param memoryCheck the driver's own memory check
     */
    public static Checked check(Resources resources, CpuList hostCpus, CpuList hostMems, boolean update,
            MemoryCheck memoryCheck) {
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
        memoryCheck.check(memory, swap);

        Long shares = range("--cpu-shares", cpu.shares(), 2, 262_144, "");
        Long period = range("--cpu-period", cpu.period(), 1000, 1_000_000, " microseconds (1 ms to 1 s)");
        Long quota = quota(cpu.quota());
        CpuList cpus = cpuset("--cpuset-cpus", cpu.cpus(), hostCpus, "CPUs");
        CpuList mems = cpuset("--cpuset-mems", cpu.mems(), hostMems, "memory nodes");

        Long pids = pids(resources.pidsLimit());
        Long blkio = range("--blkio-weight", resources.blkioWeight() == null ? null
                : resources.blkioWeight().longValue(), 10, 1000, "");

        DeviceRules devices = update && resources.devices().isEmpty() ? null : devices(resources.devices());
        return new Checked(limit, reservation, swap, memory.disableOomKiller(), shares, quota, period, cpus, mems, pids,
                blkio == null ? null : blkio.intValue(), devices);
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
