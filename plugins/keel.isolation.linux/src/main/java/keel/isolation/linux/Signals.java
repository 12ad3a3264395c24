package keel.isolation.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Signals a process through a pidfd, so that a pid reused since the check cannot be hit:
 * pidfd_open, check the start time, pidfd_send_signal.
 */
final class Signals {
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;

    interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        long syscall(long number, Object... args);

        int close(int fd);
    }

    private Signals() {
    }

    /** Sends {@code signal}; returns false if the process is gone (or is another process now). */
    static boolean send(int pid, long startTime, int signal) {
        int fd = (int) Libc.INSTANCE.syscall(SYS_PIDFD_OPEN, pid, 0);
        if (fd < 0) {
            return false;
        }
        try {
            if (!ProcStat.startTime(pid).equals(java.util.OptionalLong.of(startTime))) {
                return false;
            }
            return Libc.INSTANCE.syscall(SYS_PIDFD_SEND_SIGNAL, fd, signal, null, 0) == 0;
        } finally {
            Libc.INSTANCE.close(fd);
        }
    }
}
