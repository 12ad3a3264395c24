package keel.cgroup.base;

/** Byte counts as a docker user types them in messages: {@code 4k}, {@code 64m}, {@code 2g}. */
public final class ByteSize {
    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;
    public static final long GIB = 1024 * MIB;

    private ByteSize() {
    }

    public static String format(long bytes) {
        if (bytes > 0) {
            if (bytes % GIB == 0) {
                return bytes / GIB + "g";
            }
            if (bytes % MIB == 0) {
                return bytes / MIB + "m";
            }
            if (bytes % KIB == 0) {
                return bytes / KIB + "k";
            }
        }
        return Long.toString(bytes);
    }
}
