package keel.api.cgroup;

/**
 * A sample of a cgroup's usage.
 *
 * @param cpuUsageNanos total CPU time used
 * @param memoryUsage bytes in use
 * @param memoryLimit the limit in bytes (Long.MAX_VALUE when none)
 * @param pids tasks in the cgroup
 * @param pidsLimit the limit, or 0 when none
 * @param blkioReadBytes bytes read from block devices
 * @param blkioWriteBytes bytes written to block devices
 * @param oomKills how many times the OOM killer killed a task of the cgroup
 */
public record CgroupStats(long cpuUsageNanos, long memoryUsage, long memoryLimit, long pids, long pidsLimit,
        long blkioReadBytes, long blkioWriteBytes, long oomKills) {
}
