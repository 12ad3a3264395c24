package keel.storage.base;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Pointer;

/**
 * An open directory and its entries, read once, names as bytes. Children are reached relative to
 * its descriptor ({@code *at} calls), so no path string is ever resolved twice and no symlink in
 * the middle of a path is followed.
 */
public final class Dir implements AutoCloseable {
    /** {@code d_type} values. */
    public static final int DT_UNKNOWN = 0;
    public static final int DT_DIR = 4;
    public static final int DT_LNK = 10;

    /** {@code offsetof(struct dirent, d_name)} on 64-bit glibc. */
    private static final int D_NAME = 19;
    private static final int D_TYPE = 18;

    private final Pointer stream;
    private final int fd;
    private final String path;
    private final List<Entry> entries;

    /** One directory entry: its name and the type {@code readdir} reported (may be DT_UNKNOWN). */
    public record Entry(byte[] name, int type) {
        public String display() {
            return new String(name, StandardCharsets.UTF_8);
        }
    }

    private Dir(Pointer stream, int fd, String path, List<Entry> entries) {
        this.stream = stream;
        this.fd = fd;
        this.path = path;
        this.entries = entries;
    }

    /** Opens a directory given as an absolute path (never following a final symlink). */
    public static Dir open(java.nio.file.Path dir) throws NativeIOException {
        return openAt(Libc.AT_FDCWD, Libc.cstr(dir), dir.toString());
    }

    /** Opens child {@code name} of {@code parent}, which must be a directory and not a symlink. */
    public Dir child(byte[] name) throws NativeIOException {
        return openAt(fd, Libc.cstr(name), path + "/" + new String(name, StandardCharsets.UTF_8));
    }

    private static Dir openAt(int dirfd, byte[] cname, String display) throws NativeIOException {
        int fd = Libc.openat(dirfd, cname, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            throw NativeIOException.last("open", display);
        }
        Pointer stream = Libc.fdopendir(fd);
        if (stream == null) {
            NativeIOException e = NativeIOException.last("fdopendir", display);
            Libc.close(fd);
            throw e;
        }
        List<Entry> entries = new ArrayList<>();
        while (true) {
            Libc.clearErrno();
            Pointer ent = Libc.readdir(stream);
            if (ent == null) {
                int errno = Libc.errno();
                if (errno != 0) {
                    Libc.closedir(stream);
                    throw new NativeIOException("readdir", display, errno);
                }
                break;
            }
            int len = 0;
            while (ent.getByte(D_NAME + len) != 0) {
                len++;
            }
            byte[] name = ent.getByteArray(D_NAME, len);
            if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
                continue;
            }
            entries.add(new Entry(name, ent.getByte(D_TYPE) & 0xff));
        }
        return new Dir(stream, fd, display, entries);
    }

    public int fd() {
        return fd;
    }

    /** The path this directory was opened as, for messages. */
    public String path() {
        return path;
    }

    public List<Entry> entries() {
        return entries;
    }

    public Stat stat() throws NativeIOException {
        return Stat.at(fd, new byte[0], path);
    }

    public Stat stat(byte[] name) throws NativeIOException {
        return Stat.at(fd, name, describe(name));
    }

    /** {@code path/name} for messages. */
    public String describe(byte[] name) {
        return path + "/" + new String(name, StandardCharsets.UTF_8);
    }

    /** The path under which {@code name} can be given to path-only calls (the xattr ones) without following it. */
    public byte[] procPath(byte[] name) {
        byte[] prefix = ("/proc/self/fd/" + fd + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + name.length + 1];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(name, 0, out, prefix.length, name.length);
        return out;
    }

    @Override
    public void close() {
        Libc.closedir(stream);
    }
}
