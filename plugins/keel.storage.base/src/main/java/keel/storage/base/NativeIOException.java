package keel.storage.base;

import java.io.IOException;

/** A failed libc call: the call, what it was applied to, and errno. */
public class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeIOException(String call, String subject, int errno) {
        super(call + " " + subject + ": " + Libc.describe(errno));
        this.errno = errno;
    }

    /** Throws for the calling thread's errno. */
    public static NativeIOException last(String call, String subject) {
        return new NativeIOException(call, subject, Libc.errno());
    }

    public int errno() {
        return errno;
    }

    /** Whether the failure says the device or filesystem is full. */
    public boolean noSpace() {
        return errno == Libc.ENOSPC || errno == 122;
    }
}
