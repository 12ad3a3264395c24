/**
 * The cgroup driver contract: per-container cgroups, limits, stats, freeze, kill-all, adopt.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.cgroup;
