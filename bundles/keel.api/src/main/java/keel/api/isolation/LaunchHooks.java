package keel.api.isolation;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Called by an isolation driver while it starts a process, implemented by the kernel: this is how
 * the cgroup and network drivers get their turn without the isolation driver knowing them.
 */
@ProviderType
public interface LaunchHooks {

    /**
     * The process exists in its network namespace but has not run the container's command yet: put
     * it in its cgroup, attach its network namespace (a driver may still be making its other
     * namespaces meanwhile). A failure aborts the start.
     */
    void created(int pid);

    /**
     * The process was told to go on to its command and is not yet known to have run it:
     * {@code process} is the record the start returns if it does. The kernel records the container
     * as running meanwhile, while the process makes its last steps (a start that fails after this
     * replaces that record). A driver calls it at most once, after {@link #created} and from the
     * same thread, and only if it can tell this moment apart. A failure here fails the start: the
     * driver ends the process.
     *
     * @since 1.2
     */
    default void released(ProcessRecord process) {
    }
}
