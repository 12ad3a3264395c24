package keel.isolation.linux.shim;

/**
 * keel-shim could not start the process: the shim's {@code ERROR <errno> <stage> <message>}, or
 * a failure of the launch itself (stage {@code launch}: the shim would not run, broke the
 * protocol, died or did not answer in time, errno 0).
 */
public final class ShimException extends Exception {

    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1, ENOENT = 2, ENOEXEC = 8, EACCES = 13, EINVAL = 22;

    private final int errno;
    private final String stage;
    private final String detail;

    public ShimException(int errno, String stage, String detail) {
        super("keel-shim failed at " + stage + ": " + detail + (errno != 0 ? " (errno " + errno + ")" : ""));
        this.errno = errno;
        this.stage = stage;
        this.detail = detail;
    }

    /** Parses {@code ERROR <errno> <stage> <message>}; null if the line is not one. */
    static ShimException parse(String line) {
        String[] p = line.split(" ", 4);
        if (p.length < 3 || !p[0].equals("ERROR")) {
            return null;
        }
        try {
            return new ShimException(Integer.parseInt(p[1]), p[2], p.length > 3 ? p[3] : "");
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The errno of the failed step, or 0. */
    public int errno() {
        return errno;
    }

    /** Which step failed: message, clone, namespace, mount, device, mask, readonly, pivot_root, tty, chdir, rlimit, caps, user, seccomp, exec, launch, ... */
    public String stage() {
        return stage;
    }

    /** The shim's message, without stage and errno. */
    public String detail() {
        return detail;
    }

    /** The command does not exist: a shell's exit code 127. */
    public boolean commandNotFound() {
        return stage.equals("exec") && errno == ENOENT;
    }

    /** The command exists but cannot be run: a shell's exit code 126. */
    public boolean commandNotInvokable() {
        return stage.equals("exec") && (errno == EACCES || errno == ENOEXEC || errno == EPERM);
    }
}
