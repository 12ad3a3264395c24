package keel.cgroup.v2;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * The libc calls the driver needs: those of {@link keel.cgroup.base.Libc} (any signal, rmdir with
 * its errno), and a directory fd and bpf(2).
 */
interface Libc extends keel.cgroup.base.Libc {
    Libc C = Native.load("c", Libc.class);

    int EACCES = 13;
    int ENOSPC = 28;

    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;

    /** O_DIRECTORY differs between architectures. */
    static int oDirectory() {
        return "aarch64".equals(System.getProperty("os.arch")) ? 0x4000 : 0x10000;
    }

    /** The bpf(2) system call number, or -1 on an architecture this driver does not know. */
    static long sysBpf() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 321;
            case "aarch64" -> 280;
            default -> -1;
        };
    }

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    long syscall(long number, Object... args) throws LastErrorException;
}
