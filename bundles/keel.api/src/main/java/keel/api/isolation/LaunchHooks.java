package keel.api.isolation;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Called by an isolation driver while it starts a process, implemented by the kernel: this is how
 * the cgroup and network drivers get their turn without the isolation driver knowing them.
 */
@ProviderType
public interface LaunchHooks {

    /**
     * The process exists with its namespaces but has not run the container's command yet: put it
     * in its cgroup, attach its network namespace. A failure aborts the start.
     */
    void created(int pid);
}
