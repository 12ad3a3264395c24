package keel.api.cgroup;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A cgroup driver's optional capability: where {@link CgroupDriver#create} makes a container's
 * cgroup, from the container's id alone. So the kernel finds a cgroup that a daemon killed before
 * recording it had made, and destroys it ({@link CgroupDriver#destroy} of a cgroup never made is not
 * an error; {@link CgroupDriver#adopt} says whether it exists), without writing a record first.
 */
@ConsumerType
public interface CgroupPlanner {
    /** The record that {@code create(containerId, ...)} returns, without making anything. */
    CgroupRecord plan(String containerId);
}
