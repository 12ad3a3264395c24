package keel.api.runtime;

/** A device node to create in the container (OCI {@code linux.devices[]}). */
public record Device(String path, String type, long major, long minor, int fileMode, int uid, int gid) {
}
