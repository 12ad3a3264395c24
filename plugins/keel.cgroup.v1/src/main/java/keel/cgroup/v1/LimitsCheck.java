package keel.cgroup.v1;


import keel.api.KeelException;
import keel.api.runtime.Resources;
import keel.cgroup.base.ByteSize;
import keel.cgroup.base.CpuList;
import keel.cgroup.base.ResourcesCheck;

/**
 * Validates OCI resources into {@link Limits} before anything is made ({@link ResourcesCheck}), naming the docker flag and
 * the value in every error (Docker's own bounds: 6 MiB of memory at least, CFS period 1 ms to 1 s,
 * quota 1 ms at least, shares 2-262144, blkio weight 10-1000).
 */
final class LimitsCheck {
    /** What the host offers, for the checks that depend on it. */
    record Host(CpuList cpus, CpuList mems, boolean swapAccounting) {
    }

    private LimitsCheck() {
    }

    /**
     * @param update true for {@code update}: an empty device list then leaves the rules as they are,
     *        and --memory-swap may come without --memory
     */
    static Limits check(Resources resources, Host host, boolean update) {
        ResourcesCheck.Checked c = ResourcesCheck.check(resources, host.cpus(), host.mems(), update, (memory, swap) -> {
            if (swap != null && !host.swapAccounting()) {
                throw KeelException.invalid("--memory-swap %s: this kernel does not account swap (no "
                        + "memory.memsw.limit_in_bytes; boot it with swapaccount=1)", ByteSize.format(swap));
            }
        });
        return new Limits(c.memory(), c.reservation(), c.memorySwap(), c.oomKillDisable(), c.cpuShares(), c.cpuQuota(),
                c.cpuPeriod(), c.cpus(), c.mems(), c.pids(), c.blkioWeight(), c.devices());
    }
}
