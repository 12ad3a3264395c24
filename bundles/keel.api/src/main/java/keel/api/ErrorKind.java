package keel.api;

/**
 * The small set of things that can go wrong, after containerd's errdefs. Each maps once to the exit
 * code the {@code keel} CLI returns (docker's convention: 125 for Keel's own errors, 126 when the
 * container's command cannot be invoked, 127 when it is not found).
 */
public enum ErrorKind {
    INVALID_ARGUMENT,
    NOT_FOUND,
    ALREADY_EXISTS,
    CONFLICT,
    /** A needed service (a driver, the daemon) is not there now; retrying later may work. */
    UNAVAILABLE,
    PERMISSION_DENIED,
    INTERNAL,
    /** The container's command exists but cannot be run (not executable, permission). */
    CANNOT_INVOKE,
    /** The container's command does not exist. */
    COMMAND_NOT_FOUND;

    /** The exit code of the {@code keel} CLI for an error of this kind. */
    public int exitCode() {
        return switch (this) {
            case CANNOT_INVOKE -> 126;
            case COMMAND_NOT_FOUND -> 127;
            default -> 125;
        };
    }

    /** The lower-case, hyphenated name used on the wire and in messages, e.g. {@code not-found}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The kind whose {@link #label()} is {@code label}, or {@link #INTERNAL} for an unknown label. */
    public static ErrorKind ofLabel(String label) {
        for (ErrorKind kind : values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        return INTERNAL;
    }
}
