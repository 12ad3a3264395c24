package keel.api;

/**
 * The one exception type of Keel. Its message names the object, what was wrong and what to do;
 * its {@link ErrorKind} decides the exit code and whether a retry can help.
 */
public class KeelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    public KeelException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KeelException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static KeelException invalid(String format, Object... args) {
        return new KeelException(ErrorKind.INVALID_ARGUMENT, String.format(format, args));
    }

    public static KeelException notFound(String format, Object... args) {
        return new KeelException(ErrorKind.NOT_FOUND, String.format(format, args));
    }

    public static KeelException conflict(String format, Object... args) {
        return new KeelException(ErrorKind.CONFLICT, String.format(format, args));
    }

    public static KeelException unavailable(String format, Object... args) {
        return new KeelException(ErrorKind.UNAVAILABLE, String.format(format, args));
    }

    public static KeelException internal(String message, Throwable cause) {
        return new KeelException(ErrorKind.INTERNAL, message, cause);
    }
}
