package keel.cgroup.v2;

import keel.cgroup.base.CpuList;
import keel.cgroup.base.DeviceRules;

/**
 * Validated limits, the driver's internal form of OCI {@code linux.resources}: a null part is left
 * as it is; {@code -1} means "no limit" for memory, reservation, swap, quota and pids.
 *
 * @param memory memory.max
 * @param reservation memory.low
 * @param memorySwap memory plus swap, as OCI and v1 say it (memory.swap.max is this less the memory)
 * @param cpuShares v1-style shares, converted to cpu.weight
 * @param cpuQuota the first field of cpu.max
 * @param cpuPeriod the second field of cpu.max
 * @param cpus cpuset.cpus
 * @param mems cpuset.mems
 * @param pids pids.max
 * @param blkioWeight io.bfq.weight as is, or converted to io.weight
 * @param devices the rules the eBPF device program enforces
 */
record Limits(Long memory, Long reservation, Long memorySwap, Long cpuShares, Long cpuQuota, Long cpuPeriod,
        CpuList cpus, CpuList mems, Long pids, Integer blkioWeight, DeviceRules devices) {
}
