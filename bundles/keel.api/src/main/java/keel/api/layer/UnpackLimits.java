package keel.api.layer;

/**
 * Bounds that stop a hostile or broken layer cleanly (decompression bombs, entry floods).
 *
 * @param maxBytes total uncompressed bytes
 * @param maxEntries tar entries
 * @param maxNameLength bytes in one entry name
 */
public record UnpackLimits(long maxBytes, long maxEntries, int maxNameLength) {
    public static final UnpackLimits DEFAULT = new UnpackLimits(64L << 30, 2_000_000, 4096);
}
