/**
 * Disk space: what images, containers and volumes use ({@code keel system df}) and the pruning
 * that frees it ({@code keel system prune}, {@code keel image prune}, {@code keel container prune}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.space;
