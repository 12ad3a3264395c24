package keel.api.cgroup;

import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;
import keel.api.runtime.Resources;

/** Per-container cgroups: limits, membership, stats, freezing, killing, adoption. */
@ConsumerType
public interface CgroupDriver extends Driver {

    /**
     * Checks {@code resources} against this host (minimums, CPUs that exist, well-formed lists)
     * without creating anything; an invalid value fails, naming its flag.
     */
    void validate(Resources resources);

    /**
     * Validates {@code resources} (an invalid value fails, naming it, before anything is made), then
     * creates the container's cgroup with them.
     */
    CgroupRecord create(String containerId, Resources resources);

    void update(CgroupRecord cgroup, Resources resources);

    /** Moves process {@code pid} into the cgroup. */
    void join(CgroupRecord cgroup, int pid);

    Set<Integer> pids(CgroupRecord cgroup);

    CgroupStats stats(CgroupRecord cgroup);

    /**
     * How many times the OOM killer ended a process of the cgroup: {@link #stats}'s {@code oomKills}
     * read alone (a container's end asks only this, before its die event). The default reads all stats.
     *
     * @since 1.3
     */
    default long oomKills(CgroupRecord cgroup) {
        return stats(cgroup).oomKills();
    }

    void freeze(CgroupRecord cgroup);

    void thaw(CgroupRecord cgroup);

    /** Sends {@code signal} to every process in the cgroup, so none escapes by forking. */
    void killAll(CgroupRecord cgroup, int signal);

    /** Kills what is left and removes the cgroup; removing a missing cgroup is not an error. */
    void destroy(CgroupRecord cgroup);

    /** Checks that the cgroup still exists and takes it over; returns the record as this driver keeps it. */
    CgroupRecord adopt(CgroupRecord cgroup);
}
