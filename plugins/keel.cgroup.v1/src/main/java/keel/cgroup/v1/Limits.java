package keel.cgroup.v1;

import keel.cgroup.base.CpuList;
import keel.cgroup.base.DeviceRules;

/**
 * Validated limits, the driver's internal form of OCI {@code linux.resources}: a null part is left
 * as it is; {@code -1} means "no limit" for memory, reservation, swap, quota and pids.
 *
 * @param memory memory.limit_in_bytes
 * @param reservation memory.soft_limit_in_bytes
 * @param memorySwap memory.memsw.limit_in_bytes (memory plus swap)
 * @param oomKillDisable memory.oom_control
 * @param cpuShares cpu.shares
 * @param cpuQuota cpu.cfs_quota_us
 * @param cpuPeriod cpu.cfs_period_us
 * @param cpus cpuset.cpus
 * @param mems cpuset.mems
 * @param pids pids.max
 * @param blkioWeight blkio.weight or blkio.bfq.weight
 * @param devices the devices cgroup's rules
 */
record Limits(Long memory, Long reservation, Long memorySwap, Boolean oomKillDisable, Long cpuShares, Long cpuQuota,
        Long cpuPeriod, CpuList cpus, CpuList mems, Long pids, Integer blkioWeight, DeviceRules devices) {
}
