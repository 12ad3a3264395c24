package keel.api.container;

/**
 * A mount of a container as {@code keel inspect} shows it (Docker's {@code Mounts} entries).
 *
 * @param type {@code bind}, {@code volume} or {@code tmpfs}
 * @param name the volume's name (volumes only, else null)
 * @param source the host path (a bind's directory, a volume's data directory; empty for tmpfs)
 * @param destination the path inside the container
 * @param rw writable
 * @param options what else it was mounted with (tmpfs size and mode), as OCI mount options
 */
public record MountPoint(String type, String name, String source, String destination, boolean rw,
        java.util.List<String> options) {
    public MountPoint {
        options = options == null ? java.util.List.of() : java.util.List.copyOf(options);
    }
}
