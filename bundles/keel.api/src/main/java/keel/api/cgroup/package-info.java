/**
 * The cgroup driver contract: per-container cgroups, limits, stats, freeze, kill-all, adopt; the
 * optional capability {@link keel.api.cgroup.CgroupPlanner} (1.1) names a cgroup before it is made.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package keel.api.cgroup;
