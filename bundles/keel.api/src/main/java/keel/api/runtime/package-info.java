/**
 * The container model, shaped on the OCI runtime-spec (config.json): process, root, mounts, namespaces, resources.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.runtime;
