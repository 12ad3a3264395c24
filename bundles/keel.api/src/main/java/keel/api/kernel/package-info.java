/**
 * Services the kernel provides (driver bindings, host facts, events); drivers and the console call them, nobody implements them but the kernel.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.kernel;
