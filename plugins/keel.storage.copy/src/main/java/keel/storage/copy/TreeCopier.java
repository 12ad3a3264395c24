package keel.storage.copy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.sun.jna.Memory;

import keel.storage.base.Dir;
import keel.storage.base.Libc;
import keel.storage.base.NativeIOException;
import keel.storage.base.Stat;

/**
 * Copies a snapshot's tree into a new directory, as {@code cp -a --reflink=auto} would and without
 * trusting the tree: every file is reached through its directory's descriptor and never followed,
 * names stay bytes, and nothing outside the source's mount is entered.
 *
 * <p>Kept: contents (cloned with {@code FICLONE} where the filesystem can share extents, else
 * copied with {@code copy_file_range}, holes kept), owners, modes with setuid, setgid and sticky
 * bits, access and modification times to the nanosecond, extended attributes (file capabilities,
 * ACLs, {@code trusted.*}), hard links within the tree, symlinks as symlinks, device nodes, fifos
 * and sockets. Owner first, then mode (a chown clears setuid), then xattrs (a chown clears file
 * capabilities), then times; a directory's attributes are set after its children are copied.
 */
final class TreeCopier {
    private static final int CHUNK = 1 << 20;

    private final boolean reflink;
    private boolean reflinkFailed;
    private int cloned;
    private int copied;
    private Dir targetRoot;
    private Stat sourceRootStat;
    /** Inode of a multiply linked source file -> its path in the target, relative to the target root. */
    private final Map<Long, byte[]> links = new HashMap<>();
    private Memory buffer;

    private TreeCopier(boolean reflink) {
        this.reflink = reflink;
    }

    /** What a copy did. */
    record Result(int clonedFiles, int copiedFiles) {
    }

    /** Copies the tree at {@code source} to {@code target}, which must not exist. */
    static Result copy(Path source, Path target, boolean reflink) throws IOException {
        TreeCopier copier = new TreeCopier(reflink);
        try (Dir from = Dir.open(source)) {
            copier.sourceRootStat = from.stat();
            if (Libc.mkdirat(Libc.AT_FDCWD, Libc.cstr(target), 0700) != 0) {
                throw NativeIOException.last("mkdir", target.toString());
            }
            try (Dir to = Dir.open(target)) {
                copier.targetRoot = to;
                copier.copyChildren(from, to, new byte[0]);
                copier.finishDirectory(copier.sourceRootStat, from.fd(), to.fd(), to.path());
            }
        }
        return new Result(copier.cloned, copier.copied);
    }

    private void copyChildren(Dir from, Dir to, byte[] relative) throws IOException {
        for (Dir.Entry entry : from.entries()) {
            byte[] name = entry.name();
            byte[] cname = Libc.cstr(name);
            String subject = from.describe(name);
            Stat st = from.stat(name);
            if (!st.sameMount(sourceRootStat)) {
                throw new IOException(subject + " is on another mount than the tree being copied; unmount it");
            }
            byte[] childRelative = join(relative, name);
            if (!st.isDirectory() && st.nlink() > 1) {
                byte[] first = links.get(st.ino());
                if (first != null) {
                    if (Libc.linkat(targetRoot.fd(), Libc.cstr(first), to.fd(), cname, 0) != 0) {
                        throw NativeIOException.last("link", to.describe(name));
                    }
                    continue;
                }
                links.put(st.ino(), childRelative);
            }
            switch (st.type()) {
                case Libc.S_IFDIR -> {
                    if (Libc.mkdirat(to.fd(), cname, 0700) != 0) {
                        throw NativeIOException.last("mkdir", to.describe(name));
                    }
                    try (Dir childFrom = from.child(name); Dir childTo = to.child(name)) {
                        copyChildren(childFrom, childTo, childRelative);
                        finishDirectory(st, childFrom.fd(), childTo.fd(), childTo.path());
                    }
                }
                case Libc.S_IFREG -> copyFile(from, to, name, st);
                case Libc.S_IFLNK -> copySymlink(from, to, name, st);
                case Libc.S_IFCHR, Libc.S_IFBLK, Libc.S_IFIFO, Libc.S_IFSOCK -> copySpecial(from, to, name, st);
                default -> throw new IOException(subject + " has an unknown file type " + Integer.toOctalString(st.type()));
            }
        }
    }

    private void finishDirectory(Stat st, int fromFd, int toFd, String subject) throws NativeIOException {
        if (Libc.fchown(toFd, st.uid(), st.gid()) != 0) {
            throw NativeIOException.last("chown", subject);
        }
        if (Libc.fchmod(toFd, st.permissions()) != 0) {
            throw NativeIOException.last("chmod", subject);
        }
        Xattrs.copy(fromFd, toFd, subject);
        if (Libc.futimens(toFd, st.times()) != 0) {
            throw NativeIOException.last("utimens", subject);
        }
    }

    private void copyFile(Dir from, Dir to, byte[] name, Stat st) throws IOException {
        String subject = to.describe(name);
        int in = Libc.openat(from.fd(), Libc.cstr(name), Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (in < 0) {
            throw NativeIOException.last("open", from.describe(name));
        }
        try {
            int out = Libc.openat(to.fd(), Libc.cstr(name),
                    Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0600);
            if (out < 0) {
                throw NativeIOException.last("create", subject);
            }
            try {
                copyData(in, out, st.size(), subject);
                if (Libc.fchown(out, st.uid(), st.gid()) != 0) {
                    throw NativeIOException.last("chown", subject);
                }
                if (Libc.fchmod(out, st.permissions()) != 0) {
                    throw NativeIOException.last("chmod", subject);
                }
                Xattrs.copy(in, out, subject);
                if (Libc.futimens(out, st.times()) != 0) {
                    throw NativeIOException.last("utimens", subject);
                }
            } finally {
                Libc.close(out);
            }
        } finally {
            Libc.close(in);
        }
    }

    private void copyData(int in, int out, long size, String subject) throws IOException {
        if (size == 0) {
            copied++;
            return;
        }
        if (reflink && !reflinkFailed) {
            if (Libc.ioctl(out, Libc.FICLONE, in) == 0) {
                cloned++;
                return;
            }
            int errno = Libc.errno();
            if (!cannotClone(errno)) {
                throw new NativeIOException("ioctl FICLONE", subject, errno);
            }
            reflinkFailed = true; // this filesystem cannot share extents: copy from now on
        }
        long offset = 0;
        while (offset < size) {
            long data = Libc.lseek(in, offset, Libc.SEEK_DATA);
            if (data < 0) {
                int errno = Libc.errno();
                if (errno == Libc.ENXIO) {
                    break; // only a hole is left
                }
                if (errno != Libc.EINVAL) {
                    throw new NativeIOException("lseek SEEK_DATA", subject, errno);
                }
                data = offset; // no SEEK_DATA here: all data
            }
            long hole = Libc.lseek(in, data, Libc.SEEK_HOLE);
            if (hole < 0) {
                hole = size;
            }
            copyRange(in, out, data, Math.min(hole, size) - data, subject);
            offset = hole;
        }
        if (Libc.ftruncate(out, size) != 0) { // a trailing hole
            throw NativeIOException.last("ftruncate", subject);
        }
        copied++;
    }

    private static boolean cannotClone(int errno) {
        return errno == Libc.EOPNOTSUPP || errno == Libc.EXDEV || errno == Libc.EINVAL || errno == Libc.ENOTTY
                || errno == Libc.ENOSYS || errno == Libc.EPERM;
    }

    private void copyRange(int in, int out, long position, long length, String subject) throws IOException {
        long done = 0;
        while (done < length) {
            long n = Libc.copy_file_range(in, new long[] {position + done}, out, new long[] {position + done},
                    length - done, 0);
            if (n > 0) {
                done += n;
                continue;
            }
            if (n == 0) {
                return; // the source ended early
            }
            int errno = Libc.errno();
            if (errno == Libc.EINTR) {
                continue;
            }
            if (errno == Libc.EXDEV || errno == Libc.ENOSYS || errno == Libc.EOPNOTSUPP || errno == Libc.EINVAL) {
                readWrite(in, out, position + done, length - done, subject);
                return;
            }
            throw new NativeIOException("copy_file_range", subject, errno);
        }
    }

    private void readWrite(int in, int out, long position, long length, String subject) throws IOException {
        if (buffer == null) {
            buffer = new Memory(CHUNK);
        }
        long done = 0;
        while (done < length) {
            long n = Libc.pread(in, buffer, Math.min(CHUNK, length - done), position + done);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                if (Libc.errno() == Libc.EINTR) {
                    continue;
                }
                throw NativeIOException.last("read", subject);
            }
            long written = 0;
            while (written < n) {
                long w = Libc.pwrite(out, buffer.share(written), n - written, position + done + written);
                if (w < 0) {
                    if (Libc.errno() == Libc.EINTR) {
                        continue;
                    }
                    throw NativeIOException.last("write", subject);
                }
                written += w;
            }
            done += n;
        }
    }

    private void copySymlink(Dir from, Dir to, byte[] name, Stat st) throws IOException {
        String subject = to.describe(name);
        byte[] target = new byte[(int) Math.max(st.size(), 4095) + 1];
        long length = Libc.readlinkat(from.fd(), Libc.cstr(name), target, target.length);
        if (length < 0) {
            throw NativeIOException.last("readlink", from.describe(name));
        }
        byte[] linkTarget = new byte[(int) length + 1];
        System.arraycopy(target, 0, linkTarget, 0, (int) length);
        if (Libc.symlinkat(linkTarget, to.fd(), Libc.cstr(name)) != 0) {
            throw NativeIOException.last("symlink", subject);
        }
        finishEntry(from, to, name, st, false);
    }

    private void copySpecial(Dir from, Dir to, byte[] name, Stat st) throws IOException {
        String subject = to.describe(name);
        long dev = Libc.makedev(st.rdevMajor() & 0xffffffffL, st.rdevMinor() & 0xffffffffL);
        if (Libc.mknodat(to.fd(), Libc.cstr(name), st.type() | 0600, dev) != 0) {
            throw NativeIOException.last("mknod", subject);
        }
        finishEntry(from, to, name, st, true);
    }

    /** Owner, mode (not for symlinks), xattrs and times of an entry that cannot be opened. */
    private void finishEntry(Dir from, Dir to, byte[] name, Stat st, boolean chmod) throws IOException {
        String subject = to.describe(name);
        byte[] cname = Libc.cstr(name);
        if (Libc.fchownat(to.fd(), cname, st.uid(), st.gid(), Libc.AT_SYMLINK_NOFOLLOW) != 0) {
            throw NativeIOException.last("chown", subject);
        }
        // not a symlink, and the target tree is private to this copy: nothing to follow
        if (chmod && Libc.fchmodat(to.fd(), cname, st.permissions(), 0) != 0) {
            throw NativeIOException.last("chmod", subject);
        }
        Xattrs.copy(from.procPath(name), to.procPath(name), subject);
        if (Libc.utimensat(to.fd(), cname, st.times(), Libc.AT_SYMLINK_NOFOLLOW) != 0) {
            throw NativeIOException.last("utimens", subject);
        }
    }

    private static byte[] join(byte[] parent, byte[] name) {
        if (parent.length == 0) {
            return name;
        }
        byte[] out = new byte[parent.length + 1 + name.length];
        System.arraycopy(parent, 0, out, 0, parent.length);
        out[parent.length] = '/';
        System.arraycopy(name, 0, out, parent.length + 1, name.length);
        return out;
    }

    /** Whether {@code FICLONE} works in {@code dir}: tried on two scratch files, then removed. */
    static boolean canClone(Path dir) {
        byte[] a = Libc.cstr(dir.resolve(".tmp-clone-a"));
        byte[] b = Libc.cstr(dir.resolve(".tmp-clone-b"));
        int in = Libc.openat(Libc.AT_FDCWD, a, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0600);
        int out = Libc.openat(Libc.AT_FDCWD, b, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0600);
        try {
            return in >= 0 && out >= 0 && Libc.ioctl(out, Libc.FICLONE, in) == 0;
        } finally {
            if (in >= 0) {
                Libc.close(in);
            }
            if (out >= 0) {
                Libc.close(out);
            }
            Libc.unlinkat(Libc.AT_FDCWD, a, 0);
            Libc.unlinkat(Libc.AT_FDCWD, b, 0);
        }
    }
}
