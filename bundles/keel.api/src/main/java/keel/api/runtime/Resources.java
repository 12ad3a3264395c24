package keel.api.runtime;

import java.util.List;

/**
 * Cgroup limits (OCI {@code linux.resources}); a null part leaves that controller's defaults.
 *
 * @param memory memory limits
 * @param cpu CPU shares, quota, period and cpuset
 * @param pidsLimit maximum number of tasks, or null for no limit
 * @param blkioWeight block I/O weight (10-1000), or null
 * @param devices device access rules, in order; the last match wins
 */
public record Resources(Memory memory, Cpu cpu, Long pidsLimit, Integer blkioWeight, List<DeviceRule> devices) {
    public Resources {
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /**
     * @param limit bytes, or null
     * @param reservation soft limit in bytes, or null
     * @param swap memory plus swap in bytes (-1 unlimited), or null
     * @param disableOomKiller whether the OOM killer is off for the cgroup (v1 only), or null
     */
    public record Memory(Long limit, Long reservation, Long swap, Boolean disableOomKiller) {
    }

    /**
     * @param shares relative weight (v1 cpu.shares, 2-262144), or null
     * @param quota microseconds per period, or null
     * @param period microseconds, or null
     * @param cpus cpuset list such as {@code 0-2,4}, or null
     * @param mems memory node list, or null
     */
    public record Cpu(Long shares, Long quota, Long period, String cpus, String mems) {
    }

    /**
     * A device access rule (OCI {@code linux.resources.devices[]}).
     *
     * @param allow allow or deny
     * @param type {@code a}, {@code c} or {@code b}
     * @param major major number, or null for any
     * @param minor minor number, or null for any
     * @param access any of {@code r}, {@code w}, {@code m}
     */
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    }
}
