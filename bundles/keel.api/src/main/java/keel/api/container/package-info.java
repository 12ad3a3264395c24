/**
 * The container lifecycle: its states and the one table of moves between them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.container;
