/**
 * Named volumes ({@code keel volume ...}): directories under the daemon's root that outlive the
 * containers mounting them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.volume;
