/**
 * The cgroup driver contract: per-container cgroups, limits, stats, freeze, kill-all, adopt; the
 * optional capability {@link keel.api.cgroup.CgroupPlanner} (1.1) names a cgroup before it is made;
 * {@link keel.api.cgroup.JoinAnticipation} (1.2) lets a driver start a join's lead time early.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package keel.api.cgroup;
