package keel.api.runtime;

/** The root filesystem (OCI {@code root}): an absolute host path and whether it is read-only. */
public record Root(String path, boolean readonly) {
}
