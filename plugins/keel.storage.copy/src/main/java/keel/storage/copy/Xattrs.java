package keel.storage.copy;

import java.util.ArrayList;
import java.util.List;

import keel.storage.base.Libc;
import keel.storage.base.NativeIOException;

/**
 * Copies every extended attribute of one file to another: {@code user.*}, {@code trusted.*}
 * (overlay's own included), {@code security.*} (file capabilities) and {@code system.*} (POSIX
 * ACLs). Through descriptors for files and directories, through {@code /proc/self/fd/<dir>/<name>}
 * paths with the {@code l*} calls (never following) for symlinks and special files, which cannot be
 * opened safely. A source filesystem without xattrs has none to copy.
 */
final class Xattrs {
    private Xattrs() {
    }

    static void copy(int from, int to, String subject) throws NativeIOException {
        for (byte[] name : names(Libc.flistxattr(from, null, 0), subject, from, null)) {
            byte[] value = valueOf(from, null, name, subject);
            if (value == null) {
                continue;
            }
            if (Libc.fsetxattr(to, name, value, value.length, 0) != 0) {
                throw NativeIOException.last("setxattr " + display(name) + " on", subject);
            }
        }
    }

    static void copy(byte[] fromPath, byte[] toPath, String subject) throws NativeIOException {
        for (byte[] name : names(Libc.llistxattr(fromPath, null, 0), subject, -1, fromPath)) {
            byte[] value = valueOf(-1, fromPath, name, subject);
            if (value == null) {
                continue;
            }
            if (Libc.lsetxattr(toPath, name, value, value.length, 0) != 0) {
                throw NativeIOException.last("setxattr " + display(name) + " on", subject);
            }
        }
    }

    /** NUL-terminated names; retried if the list grows between the two calls. */
    private static List<byte[]> names(long firstSize, String subject, int fd, byte[] path)
            throws NativeIOException {
        long size = firstSize;
        for (int attempt = 0; attempt < 5; attempt++) {
            if (size < 0) {
                int errno = Libc.errno();
                if (errno == Libc.EOPNOTSUPP) {
                    return List.of();
                }
                throw new NativeIOException("listxattr", subject, errno);
            }
            if (size == 0) {
                return List.of();
            }
            byte[] list = new byte[(int) size];
            long got = fd >= 0 ? Libc.flistxattr(fd, list, list.length) : Libc.llistxattr(path, list, list.length);
            if (got < 0 && Libc.errno() == Libc.ERANGE) {
                size = fd >= 0 ? Libc.flistxattr(fd, null, 0) : Libc.llistxattr(path, null, 0);
                continue;
            }
            if (got < 0) {
                throw NativeIOException.last("listxattr", subject);
            }
            List<byte[]> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < got; i++) {
                if (list[i] == 0) {
                    if (i > start) {
                        byte[] name = new byte[i - start + 1]; // keeps the NUL
                        System.arraycopy(list, start, name, 0, i - start);
                        names.add(name);
                    }
                    start = i + 1;
                }
            }
            return names;
        }
        throw new NativeIOException("listxattr", subject, Libc.ERANGE);
    }

    /** The value, or null if the attribute went away meanwhile. */
    private static byte[] valueOf(int fd, byte[] path, byte[] name, String subject) throws NativeIOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            long size = fd >= 0 ? Libc.fgetxattr(fd, name, null, 0) : Libc.lgetxattr(path, name, null, 0);
            if (size < 0) {
                if (Libc.errno() == Libc.ENODATA) {
                    return null;
                }
                throw NativeIOException.last("getxattr " + display(name) + " of", subject);
            }
            byte[] value = new byte[(int) size];
            long got = fd >= 0 ? Libc.fgetxattr(fd, name, value, size) : Libc.lgetxattr(path, name, value, size);
            if (got >= 0) {
                return got == size ? value : java.util.Arrays.copyOf(value, (int) got);
            }
            if (Libc.errno() != Libc.ERANGE) {
                throw NativeIOException.last("getxattr " + display(name) + " of", subject);
            }
        }
        throw new NativeIOException("getxattr " + display(name) + " of", subject, Libc.ERANGE);
    }

    private static String display(byte[] name) {
        return new String(name, 0, name.length - 1, java.nio.charset.StandardCharsets.UTF_8);
    }
}
