/**
 * Keel's one exception type and its small set of kinds, each mapped once to a CLI exit code.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api;
