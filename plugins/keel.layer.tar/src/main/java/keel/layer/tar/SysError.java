package keel.layer.tar;

/**
 * A failed system call: which one, on what, and errno. The applier turns it into a
 * {@link keel.api.KeelException} that names the layer entry.
 */
final class SysError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    SysError(String call, String what, int errno) {
        super(call + "(" + what + "): " + LibC.strerror(errno) + " (errno " + errno + ")", null, false, false);
        this.errno = errno;
    }

    int errno() {
        return errno;
    }

    /** Throws for a negative return value, with errno. */
    static int check(int rc, String call, String what) {
        if (rc < 0) {
            throw new SysError(call, what, LibC.errno());
        }
        return rc;
    }
}
