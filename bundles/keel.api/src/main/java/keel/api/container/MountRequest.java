package keel.api.container;

/**
 * One mount asked for with {@code -v}, {@code --mount} or {@code --tmpfs}, before the kernel
 * resolves it (a volume's name to its directory, an anonymous volume made).
 *
 * @param type {@code bind}, {@code volume} or {@code tmpfs}
 * @param source bind: an absolute host path; volume: a name, or null for a new anonymous volume; tmpfs: null
 * @param target the absolute path inside the container
 * @param readOnly mounted read-only
 * @param createSource bind: make a missing host directory (as {@code -v} does; {@code --mount} refuses)
 * @param tmpfsSize tmpfs: its size in bytes, or null (the kernel's default, half of RAM)
 * @param tmpfsMode tmpfs: the mode of its root, or null (1777)
 */
public record MountRequest(String type, String source, String target, boolean readOnly, boolean createSource,
        Long tmpfsSize, Integer tmpfsMode) {
    public static final String BIND = "bind";
    public static final String VOLUME = "volume";
    public static final String TMPFS = "tmpfs";
}
