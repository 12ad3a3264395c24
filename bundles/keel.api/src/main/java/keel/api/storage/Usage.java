package keel.api.storage;

/** Disk used by one snapshot's own layer: bytes and inodes. */
public record Usage(long bytes, long inodes) {
}
