/**
 * The layer unpacker contract: apply one layer stream onto a directory, safely, and report its diff id.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package keel.api.layer;
