package keel.api.layer;

/** How deletions of lower-layer files (OCI whiteouts) are written, as the snapshotter needs them. */
public enum WhiteoutStyle {
    /** overlayfs: a character device 0/0 for a deleted name, {@code trusted.overlay.opaque=y} on an opaque directory. */
    OVERLAY,
    /** A full copy of the lower layers: delete the named file, empty an opaque directory. */
    DELETE
}
