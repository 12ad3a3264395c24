package keel.api.isolation;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A capability an {@link IsolationDriver} may have: it tells when a process it started has ended,
 * at once, so that the kernel need not ask {@link IsolationDriver#exitStatus} again and again to
 * find out. The kernel still asks {@code exitStatus} for the status itself.
 */
@ConsumerType
public interface ExitNotifier {

    /**
     * Calls {@code ended} soon after {@code process} (or whatever supervises it) has ended, on a
     * thread of the driver's, at least once, or at once if it already has. {@code ended} must be
     * quick. Closing the returned handle stops the watch; so does the driver's deactivation.
     */
    AutoCloseable onExit(ProcessRecord process, Runnable ended);
}
