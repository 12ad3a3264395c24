package keel.storage.base;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the storage drivers make, direct-mapped with JNA. Every path argument is a
 * NUL-terminated byte array: names inside layers are bytes, not strings, and must survive any
 * locale. Sizes are {@code long}: only 64-bit Linux (x86-64, aarch64) is supported, where
 * {@code size_t}, {@code ssize_t}, {@code off_t} and {@code dev_t} are 64 bits.
 *
 * <p>Return values are checked by the callers; {@link #errno()} is the {@code errno} JNA saved
 * right after the call on this thread.
 */
public final class Libc {
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    /** Differs between architectures. */
    public static final int O_DIRECTORY;
    /** Differs between architectures. */
    public static final int O_NOFOLLOW;

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 060000;
    public static final int S_IFDIR = 040000;
    public static final int S_IFCHR = 020000;
    public static final int S_IFIFO = 010000;

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final int MNT_DETACH = 2;

    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    /** {@code _IOW(0x94, 9, int)}: clone (reflink) a whole file, same on x86-64 and aarch64. */
    public static final long FICLONE = 0x40049409L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ENXIO = 6;
    public static final int ELOOP = 40;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new UnsupportedOperationException("the Keel storage drivers need 64-bit Linux, not "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        if (Platform.isARM()) { // aarch64 (asm-generic/fcntl.h values are overridden by arm64)
            O_DIRECTORY = 040000;
            O_NOFOLLOW = 0100000;
        } else if (Platform.isIntel()) {
            O_DIRECTORY = 0200000;
            O_NOFOLLOW = 0400000;
        } else {
            throw new UnsupportedOperationException("the Keel storage drivers support x86-64 and aarch64, not "
                    + System.getProperty("os.arch"));
        }
        Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Libc() {
    }

    public static native int openat(int dirfd, byte[] path, int flags, int mode);

    public static native int close(int fd);

    public static native int mkdirat(int dirfd, byte[] path, int mode);

    public static native int mknodat(int dirfd, byte[] path, int mode, long dev);

    public static native int symlinkat(byte[] target, int newdirfd, byte[] linkpath);

    public static native long readlinkat(int dirfd, byte[] path, byte[] buf, long size);

    public static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

    public static native int unlinkat(int dirfd, byte[] path, int flags);

    public static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags);

    public static native int fchown(int fd, int uid, int gid);

    public static native int fchmodat(int dirfd, byte[] path, int mode, int flags);

    public static native int fchmod(int fd, int mode);

    /** {@code times} is {@code struct timespec[2]}: atime seconds, nanoseconds, mtime seconds, nanoseconds. */
    public static native int utimensat(int dirfd, byte[] path, long[] times, int flags);

    public static native int futimens(int fd, long[] times);

    public static native long pread(int fd, Pointer buf, long count, long offset);

    public static native long pwrite(int fd, Pointer buf, long count, long offset);

    public static native int statx(int dirfd, byte[] path, int flags, int mask, Pointer buf);

    public static native int statfs(byte[] path, Pointer buf);

    public static native Pointer fdopendir(int fd);

    public static native Pointer readdir(Pointer dir);

    public static native int closedir(Pointer dir);

    public static native long read(int fd, Pointer buf, long count);

    public static native long write(int fd, Pointer buf, long count);

    public static native long lseek(int fd, long offset, int whence);

    public static native int ftruncate(int fd, long length);

    public static native long copy_file_range(int fdIn, long[] offIn, int fdOut, long[] offOut, long len, int flags);

    public static native int ioctl(int fd, long request, long arg);

    public static native int syncfs(int fd);

    public static native long llistxattr(byte[] path, byte[] list, long size);

    public static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

    public static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags);

    public static native long flistxattr(int fd, byte[] list, long size);

    public static native long fgetxattr(int fd, byte[] name, byte[] value, long size);

    public static native int fsetxattr(int fd, byte[] name, byte[] value, long size, int flags);

    public static native int mount(byte[] source, byte[] target, byte[] fstype, long flags, byte[] data);

    public static native int umount2(byte[] target, int flags);

    public static native Pointer strerror(int errnum);

    /** The {@code errno} of this thread's last native call. */
    public static int errno() {
        return Native.getLastError();
    }

    /** Sets {@code errno}, for calls such as {@code readdir} that report errors only through it. */
    public static void clearErrno() {
        Native.setLastError(0);
    }

    /** A NUL-terminated copy of {@code name}. */
    public static byte[] cstr(byte[] name) {
        return Arrays.copyOf(name, name.length + 1);
    }

    /** A NUL-terminated UTF-8 string, for literals and option strings. */
    public static byte[] cstr(String text) {
        return cstr(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A NUL-terminated path as the JDK would pass it to the kernel (its {@code sun.jnu.encoding}). */
    public static byte[] cstr(Path path) {
        return cstr(path.toString().getBytes(JNU));
    }

    private static final Charset JNU = jnuCharset();

    private static Charset jnuCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** {@code gnu_dev_makedev}. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12)
                | (minor & 0xffL);
    }

    /** A short description of an errno value: {@code ENOENT (No such file or directory)}. */
    public static String describe(int errno) {
        String text;
        try {
            Pointer p = strerror(errno);
            text = p == null ? "errno " + errno : p.getString(0);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            text = "errno " + errno;
        }
        String name = errnoName(errno);
        return name == null ? text + " (errno " + errno + ")" : name + " (" + text + ")";
    }

    private static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case ENXIO -> "ENXIO";
            case EBADF -> "EBADF";
            case 13 -> "EACCES";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EXDEV -> "EXDEV";
            case 19 -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case 21 -> "EISDIR";
            case EINVAL -> "EINVAL";
            case 24 -> "EMFILE";
            case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case 31 -> "EMLINK";
            case ERANGE -> "ERANGE";
            case 36 -> "ENAMETOOLONG";
            case ENOSYS -> "ENOSYS";
            case ENOTEMPTY -> "ENOTEMPTY";
            case 40 -> "ELOOP";
            case ENODATA -> "ENODATA";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case 122 -> "EDQUOT";
            default -> null;
        };
    }

    /** A scratch buffer of {@code size} bytes, zeroed. */
    public static Memory buffer(int size) {
        Memory m = new Memory(size);
        m.clear();
        return m;
    }
}
