package keel.cgroup.v2;

import java.util.ArrayList;
import java.util.List;

import keel.api.KeelException;
import keel.cgroup.base.ByteSize;

/**
 * Which cgroup2 interface file gets which value for a set of {@link Limits}, converting from the
 * OCI (v1) vocabulary as runc and crun do: shares to cpu.weight, quota and period to cpu.max,
 * memory+swap to memory.swap.max, blkio weight to io.weight. A pure function: every conversion is a
 * unit test.
 */
final class LimitWrites {
    /** cpu.max's period when only a quota is given (the kernel's default). */
    static final long DEFAULT_PERIOD = 100_000;

    /**
     * One write.
     *
     * @param file the interface file in the container's directory
     * @param value what to write
     * @param what the docker flag and value, for errors
     */
    record Write(String file, String value, String what) {
    }

    private LimitWrites() {
    }

    /** runc's and crun's conversion: 2..262144 onto 1..10000, 1024 (the default share) to 39. */
    static long cpuWeight(long shares) {
        return 1 + ((shares - 2) * 9999) / 262_142;
    }

    /** runc's conversion of a v1 blkio weight (10..1000) to io.weight (1..10000). */
    static long ioWeight(long blkioWeight) {
        return 1 + ((blkioWeight - 10) * 9999) / 990;
    }

    /**
     * memory.swap.max from OCI's memory+swap: swap alone is the difference; -1 is "max"; "no memory
     * limit" without a swap value lifts swap too (runc's ConvertMemorySwapToCgroupV2Value).
     *
     * @param memory the memory limit that will hold (asked now, else the current one; -1 for none)
     * @return the value to write, or null to leave memory.swap.max alone
     */
    static String swapMax(Long memorySwap, long memory) {
        if (memorySwap == null) {
            return memory == -1 ? "max" : null;
        }
        if (memorySwap == -1) {
            return "max";
        }
        if (memory == -1) {
            throw KeelException.invalid("invalid --memory-swap %s: it needs a --memory limit too",
                    ByteSize.format(memorySwap));
        }
        if (memorySwap < memory) {
            throw KeelException.invalid("invalid --memory-swap %s: --memory-swap must be at least --memory (%s)",
                    ByteSize.format(memorySwap), ByteSize.format(memory));
        }
        return Long.toString(memorySwap - memory);
    }

    /**
     * @param currentMemory memory.max now, -1 for "max" (only read when --memory-swap comes alone)
     * @param ioBfq whether the cgroup has io.bfq.weight (then the weight is written there as is)
     * @param swapMaxExists whether the cgroup has memory.swap.max (no swap accounting otherwise)
     */
    static List<Write> plan(Limits limits, long currentMemory, boolean ioBfq, boolean swapMaxExists) {
        List<Write> writes = new ArrayList<>();
        Long memory = limits.memory();
        if (memory != null) {
            writes.add(new Write("memory.max", max(memory), "--memory " + ByteSize.format(memory)));
        }
        if (memory != null || limits.memorySwap() != null) {
            String swap = swapMax(limits.memorySwap(), memory != null ? memory : currentMemory);
            if (swap != null && limits.memorySwap() != null && !swapMaxExists) {
                throw KeelException.invalid("--memory-swap %s: this kernel does not account swap (no memory.swap.max)",
                        ByteSize.format(limits.memorySwap()));
            }
            if (swap != null && swapMaxExists) {
                writes.add(new Write("memory.swap.max", swap, "--memory-swap "
                        + ByteSize.format(limits.memorySwap() == null ? -1 : limits.memorySwap())));
            }
        }
        if (limits.reservation() != null) {
            writes.add(new Write("memory.low", max(limits.reservation()),
                    "--memory-reservation " + ByteSize.format(limits.reservation())));
        }
        if (limits.cpuShares() != null) {
            writes.add(new Write("cpu.weight", Long.toString(cpuWeight(limits.cpuShares())),
                    "--cpu-shares " + limits.cpuShares()));
        }
        if (limits.cpuQuota() != null || limits.cpuPeriod() != null) {
            String quota = limits.cpuQuota() == null || limits.cpuQuota() == -1 ? "max" : limits.cpuQuota().toString();
            long period = limits.cpuPeriod() == null ? DEFAULT_PERIOD : limits.cpuPeriod();
            writes.add(new Write("cpu.max", quota + " " + period,
                    "--cpu-quota " + limits.cpuQuota() + " --cpu-period " + limits.cpuPeriod()));
        }
        if (limits.cpus() != null) {
            writes.add(new Write("cpuset.cpus", limits.cpus().toString(), "--cpuset-cpus " + limits.cpus()));
        }
        if (limits.mems() != null) {
            writes.add(new Write("cpuset.mems", limits.mems().toString(), "--cpuset-mems " + limits.mems()));
        }
        if (limits.pids() != null) {
            writes.add(new Write("pids.max", max(limits.pids()), "--pids-limit " + limits.pids()));
        }
        if (limits.blkioWeight() != null) {
            writes.add(ioBfq
                    ? new Write("io.bfq.weight", Integer.toString(limits.blkioWeight()),
                            "--blkio-weight " + limits.blkioWeight())
                    : new Write("io.weight", Long.toString(ioWeight(limits.blkioWeight())),
                            "--blkio-weight " + limits.blkioWeight()));
        }
        return writes;
    }

    private static String max(long value) {
        return value == -1 ? "max" : Long.toString(value);
    }
}
