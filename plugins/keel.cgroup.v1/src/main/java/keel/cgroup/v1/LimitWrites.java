package keel.cgroup.v1;

import java.util.ArrayList;
import java.util.List;

import keel.cgroup.base.ByteSize;

/**
 * Which v1 control file gets which value, in which order, for a set of {@link Limits} (runc's
 * {@code fs} subsystems): a pure function, so every conversion is a unit test.
 */
final class LimitWrites {
    /**
     * One write.
     *
     * @param controller the hierarchy
     * @param file the control file in the container's directory
     * @param value what to write
     * @param what the docker flag and value, for errors
     */
    record Write(String controller, String file, String value, String what) {
    }

    private LimitWrites() {
    }

    /**
     * @param currentMemoryLimit memory.limit_in_bytes now (decides the order of memory and
     *        memory+swap, so that memory &lt;= memory+swap holds after each write)
     * @param swapAccounting whether memory.memsw.* exists
     * @param blkioWeightFile {@code blkio.weight} or {@code blkio.bfq.weight}, or null if neither
     */
    static List<Write> plan(Limits limits, long currentMemoryLimit, boolean swapAccounting, String blkioWeightFile) {
        List<Write> writes = new ArrayList<>();
        Long memory = limits.memory();
        Long swap = limits.memorySwap();
        if (memory != null && memory == -1 && swap == null && swapAccounting) {
            swap = -1L; // "no memory limit" lifts the memory+swap limit too, as runc does
        }
        Write memoryWrite = memory == null ? null
                : new Write("memory", "memory.limit_in_bytes", Long.toString(memory), "--memory " + ByteSize.format(memory));
        Write swapWrite = swap == null ? null
                : new Write("memory", "memory.memsw.limit_in_bytes", Long.toString(swap),
                        "--memory-swap " + ByteSize.format(swap));
        if (memoryWrite != null && swapWrite != null && (swap == -1 || currentMemoryLimit < swap)) {
            writes.add(swapWrite);
            writes.add(memoryWrite);
        } else {
            addIf(writes, memoryWrite);
            addIf(writes, swapWrite);
        }
        if (limits.reservation() != null) {
            writes.add(new Write("memory", "memory.soft_limit_in_bytes", Long.toString(limits.reservation()),
                    "--memory-reservation " + ByteSize.format(limits.reservation())));
        }
        if (limits.oomKillDisable() != null) {
            writes.add(new Write("memory", "memory.oom_control", limits.oomKillDisable() ? "1" : "0",
                    "--oom-kill-disable " + limits.oomKillDisable()));
        }
        if (limits.cpuShares() != null) {
            writes.add(new Write("cpu", "cpu.shares", Long.toString(limits.cpuShares()),
                    "--cpu-shares " + limits.cpuShares()));
        }
        if (limits.cpuPeriod() != null) {
            writes.add(new Write("cpu", "cpu.cfs_period_us", Long.toString(limits.cpuPeriod()),
                    "--cpu-period " + limits.cpuPeriod()));
        }
        if (limits.cpuQuota() != null) {
            writes.add(new Write("cpu", "cpu.cfs_quota_us", Long.toString(limits.cpuQuota()),
                    "--cpu-quota " + limits.cpuQuota()));
        }
        if (limits.cpus() != null) {
            writes.add(new Write("cpuset", "cpuset.cpus", limits.cpus().toString(), "--cpuset-cpus " + limits.cpus()));
        }
        if (limits.mems() != null) {
            writes.add(new Write("cpuset", "cpuset.mems", limits.mems().toString(), "--cpuset-mems " + limits.mems()));
        }
        if (limits.pids() != null) {
            writes.add(new Write("pids", "pids.max", limits.pids() == -1 ? "max" : Long.toString(limits.pids()),
                    "--pids-limit " + limits.pids()));
        }
        if (limits.blkioWeight() != null) {
            writes.add(new Write("blkio", blkioWeightFile == null ? "blkio.weight" : blkioWeightFile,
                    Integer.toString(limits.blkioWeight()), "--blkio-weight " + limits.blkioWeight()));
        }
        return writes;
    }

    private static void addIf(List<Write> writes, Write write) {
        if (write != null) {
            writes.add(write);
        }
    }
}
