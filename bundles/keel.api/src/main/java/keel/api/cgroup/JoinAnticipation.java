package keel.api.cgroup;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A cgroup driver's optional capability: its joins have a lead time that can be spent before the
 * process to join exists. On cgroup v1, the first migration after a quiet spell waits for an RCU
 * grace period of the kernel (10-30 ms on a small host); a driver can start that wait on a thread
 * of its own. The kernel calls {@link #anticipateJoin} as soon as it knows a container may start
 * (when it is created), so that its start, a few milliseconds later, waits for less of it.
 */
@ConsumerType
public interface JoinAnticipation {
    /** A join may come soon; returns at once. A call with no join after it costs nothing but that wait, elsewhere. */
    void anticipateJoin();
}
