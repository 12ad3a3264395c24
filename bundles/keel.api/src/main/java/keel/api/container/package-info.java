/**
 * Containers as the kernel runs them: the configuration {@code keel create}/{@code run} asks for,
 * what {@code keel inspect} shows, the lifecycle state machine, and the kernel's container service.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package keel.api.container;
