package keel.isolation.linux.shim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * keel-shim as one sealed in-memory file, made once and run as {@code /proc/<daemon>/fd/<n>} for
 * every start (CVE-2019-5736: nothing on disk for a container to reach through
 * {@code /proc/<shim>/exe}, and the copy sealed against writing, growing and shrinking). The shim
 * finds itself sealed and goes on, instead of copying its 1 MB into a memfd of its own and
 * executing again on every start.
 */
public final class SealedShim implements AutoCloseable {
    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    private static final int MFD_EXEC = 0x10;          // Linux 6.3: executable under vm.memfd_noexec
    private static final int EINVAL = 22;
    private static final int F_ADD_SEALS = 1033;
    private static final int SEALS = 0x1 | 0x2 | 0x4 | 0x8; // SEAL, SHRINK, GROW, WRITE

    interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        int memfd_create(String name, int flags);

        long write(int fd, byte[] buffer, long count);

        int fcntl(int fd, int command, int argument);

        int close(int fd);
    }

    private final int fd;
    private final Path path;

    private SealedShim(int fd) {
        this.fd = fd;
        this.path = Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd);
    }

    /** The sealed copy of {@code binary}. */
    public static SealedShim of(Path binary) throws IOException {
        byte[] content = Files.readAllBytes(binary);
        int fd = Libc.INSTANCE.memfd_create("keel-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && Native.getLastError() == EINVAL) {
            fd = Libc.INSTANCE.memfd_create("keel-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        }
        if (fd < 0) {
            throw new IOException("memfd_create failed: errno " + Native.getLastError());
        }
        SealedShim sealed = new SealedShim(fd);
        long written = Libc.INSTANCE.write(fd, content, content.length);
        if (written != content.length || Libc.INSTANCE.fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
            int errno = Native.getLastError();
            sealed.close();
            throw new IOException("cannot make a sealed copy of " + binary + ": errno " + errno);
        }
        return sealed;
    }

    /** What to execute: this process's descriptor of the copy. */
    public Path path() {
        return path;
    }

    @Override
    public void close() {
        Libc.INSTANCE.close(fd);
    }
}
