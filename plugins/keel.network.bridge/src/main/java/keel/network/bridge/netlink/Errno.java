package keel.network.bridge.netlink;

import java.util.Map;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** Turns an errno into a {@link KeelException} that names the operation, the errno's name and its text. */
public final class Errno {
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EPERM = 1;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EADDRNOTAVAIL = 99;

    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(EPERM, "EPERM"),
            Map.entry(ENOENT, "ENOENT"), Map.entry(ESRCH, "ESRCH"), Map.entry(EACCES, "EACCES"),
            Map.entry(EBUSY, "EBUSY"), Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"),
            Map.entry(EINVAL, "EINVAL"), Map.entry(34, "ERANGE"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"), Map.entry(101, "ENETUNREACH"), Map.entry(105, "ENOBUFS"),
            Map.entry(11, "EAGAIN"), Map.entry(9, "EBADF"), Map.entry(93, "EPROTONOSUPPORT"));

    private Errno() {
    }

    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /**
     * {@code "<operation> failed: <text> (<NAME>)"}, of a kind that tells the caller what to do:
     * EEXIST is already-exists, ENODEV/ENOENT/ESRCH not-found, EPERM/EACCES permission-denied,
     * EBUSY conflict, anything else internal.
     */
    public static KeelException exception(String operation, int errno, String kernelMessage) {
        String text;
        try {
            text = LibC.INSTANCE.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            text = null;
        }
        StringBuilder message = new StringBuilder(operation).append(" failed: ")
                .append(text == null ? "error" : text).append(" (").append(name(errno)).append(')');
        if (kernelMessage != null && !kernelMessage.isBlank()) {
            message.append(": the kernel says \"").append(kernelMessage.strip()).append('"');
        }
        return new KeelException(kind(errno), message.toString());
    }

    static ErrorKind kind(int errno) {
        return switch (errno) {
            case EEXIST -> ErrorKind.ALREADY_EXISTS;
            case ENODEV, ENOENT, ESRCH -> ErrorKind.NOT_FOUND;
            case EPERM, EACCES -> ErrorKind.PERMISSION_DENIED;
            case EBUSY -> ErrorKind.CONFLICT;
            default -> ErrorKind.INTERNAL;
        };
    }
}
