/**
 * The isolation driver contract: start a container's process from a spec and a prepared root, exec, signal, adopt.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package keel.api.isolation;
