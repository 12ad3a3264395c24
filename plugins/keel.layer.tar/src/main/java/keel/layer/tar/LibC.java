package keel.layer.tar;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls of the rooted file system layer, direct-mapped (one JNI transition per call, no
 * reflection). Paths are NUL-terminated byte arrays, never Java strings, so that a name is written
 * byte for byte as the layer has it. Every call returns -1 and leaves errno for
 * {@link Native#getLastError()} (JNA preserves it per thread).
 *
 * <p>Flag values differ between architectures for {@code O_DIRECTORY} and {@code O_NOFOLLOW}; only
 * x86-64 and aarch64 are known here, and {@link #ARCH_SUPPORTED} says whether this is one of them.
 */
final class LibC {
    static final boolean ARCH_SUPPORTED = Platform.isLinux() && (Platform.isIntel() && Platform.is64Bit()
            || Platform.isARM() && Platform.is64Bit());
    private static final boolean ARM64 = Platform.isARM();

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    static final int O_DIRECTORY = ARM64 ? 040000 : 0200000;
    static final int O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
    static final int O_CLOEXEC = 02000000;
    static final int O_PATH = 010000000;

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_REMOVEDIR = 0x200;
    static final int AT_EMPTY_PATH = 0x1000;

    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    static final int S_IFREG = 0100000;
    static final int S_IFIFO = 0010000;
    static final int S_IFLNK = 0120000;

    static final long SYS_OPENAT2 = 437;
    static final long RESOLVE_NO_XDEV = 0x01;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;
    static final long RESOLVE_IN_ROOT = 0x10;

    static final int STATX_TYPE = 0x1;
    static final int STATX_MODE = 0x2;
    static final int STATX_NLINK = 0x4;
    static final int STATX_SIZE = 0x200;
    static final int STATX_BUFFER = 256;
    static final int STATX_MODE_OFFSET = 28;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EMLINK = 31;
    static final int ENAMETOOLONG = 36;
    static final int ENOSYS = 38;
    static final int ENOTEMPTY = 39;
    static final int ELOOP = 40;
    static final int ENODATA = 61;
    static final int EOPNOTSUPP = 95;
    static final int EDQUOT = 122;

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    static native int openat(int dirfd, byte[] path, int flags, int mode);

    /** {@code syscall(SYS_openat2, dirfd, path, &how, sizeof how)}; {@code how} is flags, mode, resolve. */
    static native long syscall(long number, int dirfd, byte[] path, long[] how, long size);

    static native int close(int fd);

    static native int dup(int fd);

    static native int fcntl(int fd, int cmd, int arg);

    static final int F_DUPFD_CLOEXEC = 1030;

    static native int mkdirat(int dirfd, byte[] path, int mode);

    static native int unlinkat(int dirfd, byte[] path, int flags);

    static native int symlinkat(byte[] target, int dirfd, byte[] path);

    static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

    static native int mknodat(int dirfd, byte[] path, int mode, long dev);

    static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags);

    static native int fchown(int fd, int uid, int gid);

    static native int fchmod(int fd, int mode);

    static native int fchmodat(int dirfd, byte[] path, int mode, int flags);

    /** {@code times}: atime seconds, atime nanoseconds, mtime seconds, mtime nanoseconds. */
    static native int utimensat(int dirfd, byte[] path, long[] times, int flags);

    static native int futimens(int fd, long[] times);

    /** {@code address}: native memory, e.g. of a direct buffer. */
    static native long write(int fd, long address, long count);

    static native int fsetxattr(int fd, byte[] name, byte[] value, long size, int flags);

    static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags);

    static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

    static native long readlinkat(int dirfd, byte[] path, byte[] buffer, long size);

    static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] buffer);

    static native Pointer fdopendir(int fd);

    static native Pointer readdir(Pointer dir);

    static native int closedir(Pointer dir);

    static native String strerror(int errno);

    static native int unshare(int flags);

    static native int mount(byte[] source, byte[] target, byte[] fstype, long flags, byte[] data);

    static native int chdir(byte[] path);

    static final int CLONE_FS = 0x200;
    static final int CLONE_NEWNS = 0x20000;
    static final long MS_RDONLY = 1;
    static final long MS_REC = 0x4000;
    static final long MS_PRIVATE = 1 << 18;
    static final int STATX_MNT_ID = 0x1000;
    static final int STATX_MNT_ID_OFFSET = 144;

    /** glibc's {@code makedev}. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static int errno() {
        return Native.getLastError();
    }
}
