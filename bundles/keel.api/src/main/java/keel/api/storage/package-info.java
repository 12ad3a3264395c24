/**
 * The snapshotter contract (containerd's vocabulary): prepare, view, commit, mounts, remove of keyed snapshots.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package keel.api.storage;
