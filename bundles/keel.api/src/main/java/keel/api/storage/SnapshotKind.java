package keel.api.storage;

/** containerd's snapshot kinds. */
public enum SnapshotKind {
    /** Writable, on top of a committed parent; becomes committed by {@code commit}. */
    ACTIVE,
    /** Read-only view of a committed parent. */
    VIEW,
    /** Immutable; may be a parent. */
    COMMITTED
}
