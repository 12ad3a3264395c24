package keel.layer.tar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.layer.UnpackLimits;
import keel.api.layer.WhiteoutStyle;

/**
 * One layer applied onto one root: the entries in order, each created, replaced or deleted through
 * {@link RootDir}, then the directory times. Follows containerd's {@code pkg/archive} where the
 * OCI image-spec is silent: an existing path is replaced unless both it and the entry are
 * directories (then the metadata is applied), missing parents are made 0755, an entry naming the
 * root is skipped, ownership is numeric, chown comes before the mode (it clears setuid) and before
 * the xattrs ({@code security.capability}), directory times are set last.
 */
final class Unpack {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String WHITEOUT_META_PREFIX = ".wh..wh.";
    static final String WHITEOUT_OPAQUE = ".wh..wh..opq";
    private static final byte[] OVERLAY_OPAQUE = z("trusted.overlay.opaque");
    private static final byte[] YES = {'y'};
    private static final byte[] OPAQUE_Z = z(WHITEOUT_OPAQUE);
    private static final byte[] DOT = {'.', 0};
    private static final int COPY_BUFFER = 1 << 20;
    private static final long MAX_ID = 0xfffffffeL;

    private final RootDir root;
    private final LayerTarInputStream tar;
    private final WhiteoutStyle style;
    private final UnpackLimits limits;
    private final byte[] buffer = new byte[COPY_BUFFER];
    private final ByteBuffer direct = ByteBuffer.allocateDirect(COPY_BUFFER);
    private final long directAddress = Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    private final long[] times = new long[4];
    /** Directory times to set at the end, by path: the last directory entry of a path wins. */
    private final Map<String, DirTime> dirTimes = new LinkedHashMap<>();
    /** DELETE style: the paths this layer wrote (and their parents); whiteouts leave them alone. */
    private final Set<String> unpacked;
    /** Small new files go to these threads; null: every file is written here. */
    private final FileWriters writers;
    private long entries;
    private String current = "";

    private record DirTime(EntryPath path, long atimeSeconds, long atimeNanos, long mtimeSeconds, long mtimeNanos) {
    }

    Unpack(RootDir root, LayerTarInputStream tar, WhiteoutStyle style, UnpackLimits limits, int writerThreads) {
        this.writers = writerThreads > 0 ? new FileWriters(writerThreads) : null;
        this.root = root;
        this.tar = tar;
        this.style = style;
        this.limits = limits;
        this.unpacked = style == WhiteoutStyle.DELETE ? new HashSet<>() : null;
    }

    long entries() {
        return entries;
    }

    /** The entry being applied, for error messages; empty before the first one. */
    String current() {
        return current;
    }

    /** Applies every entry; IOExceptions are the layer's (corrupt, truncated) or its source's. */
    void applyAll() throws IOException {
        for (TarArchiveEntry entry = next(); entry != null; entry = next()) {
            if (++entries > limits.maxEntries()) {
                throw KeelException.invalid("layer has more than %d entries (UnpackLimits.maxEntries)",
                        limits.maxEntries());
            }
            root.beginEntry();
            byte[] pax = tar.paxData();
            PaxRecords records = pax == null ? null : PaxRecords.parse(pax);
            byte[] name = records != null && records.path != null ? records.path : latin1(entry.getName());
            current = EntryPath.abbreviate(new String(name, StandardCharsets.UTF_8));
            if (!entry.isCheckSumOK()) {
                throw KeelException.invalid("layer entry '%s' has a header with a wrong checksum", current);
            }
            try {
                apply(entry, name, records);
            } catch (SysError e) {
                throw failed(e);
            }
        }
    }

    private TarArchiveEntry next() throws IOException {
        try {
            return tar.getNextEntry();
        } catch (KeelException | IOException e) {
            throw e;
        } catch (RuntimeException e) {
            // Commons Compress reports some malformed headers as runtime exceptions
            throw new IOException("malformed tar header: " + e, e);
        }
    }

    /** Stops the writer threads; a file handed over and not written yet is skipped. */
    void close() {
        if (writers != null) {
            writers.close();
        }
    }

    /** Waits for the files handed to the writers; their first failure is thrown, naming its entry. */
    private void drain() {
        if (writers != null) {
            try {
                writers.drain();
            } catch (SysError e) {
                current = writers.failedName();
                throw e;
            }
        }
    }

    /** Sets the directory times once everything is written. */
    void finish() {
        drain();
        for (DirTime time : dirTimes.values()) {
            root.beginEntry();
            int parent;
            try {
                parent = root.dir(time.path().parent(), false);
            } catch (SysError e) {
                continue; // removed by a later entry
            }
            if ((root.statMode(parent, time.path().baseZ(), 0) & LibC.S_IFMT) != LibC.S_IFDIR) {
                continue; // no longer a directory
            }
            times[0] = time.atimeSeconds();
            times[1] = time.atimeNanos();
            times[2] = time.mtimeSeconds();
            times[3] = time.mtimeNanos();
            if (LibC.utimensat(parent, time.path().baseZ(), times, LibC.AT_SYMLINK_NOFOLLOW) < 0) {
                int errno = LibC.errno();
                if (errno != LibC.ENOENT && errno != LibC.ENOTDIR) {
                    current = time.path().toString();
                    throw failed(new SysError("utimensat", current, errno));
                }
            }
        }
    }

    private void apply(TarArchiveEntry entry, byte[] name, PaxRecords records) throws IOException {
        EntryPath path = EntryPath.parse(name, limits.maxNameLength(), "entry", current);
        if (path.isRoot()) {
            return; // as containerd: an entry that resolves to the root is ignored
        }
        if (writers != null && (path.baseStartsWith(WHITEOUT_PREFIX) || writers.conflicts(path.key()))) {
            drain(); // a whiteout may delete, and an entry may replace, what a pending file is
        }
        if (path.baseStartsWith(WHITEOUT_PREFIX)) {
            whiteout(entry, path);
            return;
        }
        byte type = entry.getLinkFlag();
        int parent = root.dir(path.parent(), true);
        if (type != TarArchiveEntry.LF_DIR && !dirTimes.isEmpty()) {
            dirTimes.remove(path.key()); // a directory this entry replaces keeps no pending time
        }
        byte[] base = path.baseZ();
        switch (type) {
            case TarArchiveEntry.LF_NORMAL, TarArchiveEntry.LF_OLDNORM, TarArchiveEntry.LF_CONTIG,
                    TarArchiveEntry.LF_GNUTYPE_SPARSE -> {
                if (entry.isDirectory()) { // an old-style entry named with a trailing slash
                    directory(entry, path, parent, base, records);
                } else {
                    regular(entry, path, parent, base, records);
                }
            }
            case TarArchiveEntry.LF_DIR -> directory(entry, path, parent, base, records);
            case TarArchiveEntry.LF_SYMLINK -> symlink(entry, parent, base, records);
            case TarArchiveEntry.LF_LINK -> hardLink(entry, path, parent, base, records);
            case TarArchiveEntry.LF_CHR -> node(entry, parent, base, LibC.S_IFCHR, records);
            case TarArchiveEntry.LF_BLK -> node(entry, parent, base, LibC.S_IFBLK, records);
            case TarArchiveEntry.LF_FIFO -> node(entry, parent, base, LibC.S_IFIFO, records);
            default -> throw KeelException.invalid("layer entry '%s' has tar type '%s', which a layer cannot hold",
                    current, type >= 32 && type < 127 ? Character.toString(type) : "\\" + (type & 0xff));
        }
        if (unpacked != null) {
            markUnpacked(path);
        }
    }

    private void regular(TarArchiveEntry entry, EntryPath path, int parent, byte[] base, PaxRecords records)
            throws IOException {
        if (writers != null && !entry.isSparse() && entry.getSize() <= FileWriters.MAX_FILE
                && !xattrs(records).iterator().hasNext() && root.statMode(parent, base, 0) == 0) {
            byte[] content = readContent((int) entry.getSize());
            times(entry);
            int parentCopy = SysError.check(LibC.fcntl(parent, LibC.F_DUPFD_CLOEXEC, 0), "fcntl", current);
            try {
                writers.submit(new FileWriters.Job(parentCopy, base, content, uid(entry), gid(entry),
                        entry.getMode() & 07777, times.clone(), current, path.key()));
            } catch (SysError e) {
                current = writers.failedName() != null ? writers.failedName() : current;
                throw e;
            }
            return;
        }
        int flags = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
        int fd = LibC.openat(parent, base, flags, 0600);
        if (fd < 0 && LibC.errno() == LibC.EEXIST) {
            replace(parent, base, false);
            fd = LibC.openat(parent, base, flags, 0600);
        }
        SysError.check(fd, "openat", current);
        try {
            long expected = entry.isSparse() ? entry.getRealSize() : entry.getSize();
            long written = 0;
            int n;
            while ((n = readData()) > 0) {
                writeFully(fd, n);
                written += n;
            }
            if (written != expected) {
                throw new IOException("truncated tar stream: entry has " + written + " of " + expected + " bytes");
            }
            SysError.check(LibC.fchown(fd, uid(entry), gid(entry)), "fchown", current);
            for (Map.Entry<String, byte[]> xattr : xattrs(records)) {
                byte[] key = z(xattr.getKey());
                byte[] value = xattr.getValue();
                xattrResult(LibC.fsetxattr(fd, key, value, value.length, 0), xattr.getKey(), true);
            }
            SysError.check(LibC.fchmod(fd, entry.getMode() & 07777), "fchmod", current);
            times(entry);
            SysError.check(LibC.futimens(fd, times), "futimens", current);
        } finally {
            LibC.close(fd);
        }
    }

    /** The whole content of the current entry, which has {@code size} bytes. */
    private byte[] readContent(int size) throws IOException {
        byte[] content = new byte[size];
        int read = 0;
        while (read < size) {
            int n;
            try {
                n = tar.read(content, read, size - read);
            } catch (KeelException | IOException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IOException("malformed tar data: " + e, e);
            }
            if (n <= 0) {
                throw new IOException("truncated tar stream: entry has " + read + " of " + size + " bytes");
            }
            read += n;
        }
        return content;
    }

    private int readData() throws IOException {
        try {
            return tar.read(buffer, 0, buffer.length);
        } catch (KeelException | IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("malformed tar data: " + e, e);
        }
    }

    private void writeFully(int fd, int length) {
        direct.clear();
        direct.put(buffer, 0, length);
        int done = 0;
        while (done < length) {
            long n = LibC.write(fd, directAddress + done, length - done);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw new SysError("write", current, errno);
            }
            done += (int) n;
        }
    }

    private void directory(TarArchiveEntry entry, EntryPath path, int parent, byte[] base, PaxRecords records) {
        if (LibC.mkdirat(parent, base, 0700) < 0) {
            int errno = LibC.errno();
            if (errno != LibC.EEXIST) {
                throw new SysError("mkdirat", current, errno);
            }
            if (replace(parent, base, true)) {
                SysError.check(LibC.mkdirat(parent, base, 0700), "mkdirat", current);
            }
        }
        int fd = SysError.check(LibC.openat(parent, base,
                LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0), "openat", current);
        try {
            SysError.check(LibC.fchown(fd, uid(entry), gid(entry)), "fchown", current);
            for (Map.Entry<String, byte[]> xattr : xattrs(records)) {
                byte[] value = xattr.getValue();
                xattrResult(LibC.fsetxattr(fd, z(xattr.getKey()), value, value.length, 0), xattr.getKey(), true);
            }
            SysError.check(LibC.fchmod(fd, entry.getMode() & 07777), "fchmod", current);
        } finally {
            LibC.close(fd);
        }
        times(entry);
        String key = path.key();
        dirTimes.remove(key);
        dirTimes.put(key, new DirTime(path, times[0], times[1], times[2], times[3]));
    }

    private void symlink(TarArchiveEntry entry, int parent, byte[] base, PaxRecords records) {
        byte[] target = linkName(entry, records, "symlink target");
        if (target.length == 0) {
            throw KeelException.invalid("layer entry '%s' is a symlink with an empty target", current);
        }
        byte[] targetZ = RootDir.z(target);
        if (LibC.symlinkat(targetZ, parent, base) < 0) {
            if (LibC.errno() != LibC.EEXIST) {
                throw new SysError("symlinkat", current, LibC.errno());
            }
            replace(parent, base, false);
            SysError.check(LibC.symlinkat(targetZ, parent, base), "symlinkat", current);
        }
        SysError.check(LibC.fchownat(parent, base, uid(entry), gid(entry), LibC.AT_SYMLINK_NOFOLLOW), "lchown",
                current);
        for (Map.Entry<String, byte[]> xattr : xattrs(records)) {
            xattrResult(RootDir.lsetxattrAt(parent, base, z(xattr.getKey()), xattr.getValue()), xattr.getKey(), false);
        }
        times(entry);
        SysError.check(LibC.utimensat(parent, base, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", current);
    }

    /**
     * A hard link: the target is resolved inside the root like any entry (its parents in the root,
     * its last component not followed), so it can only ever name a file of this root. As GNU tar,
     * the link's own header metadata is not applied: it would change the shared inode.
     */
    private void hardLink(TarArchiveEntry entry, EntryPath path, int parent, byte[] base, PaxRecords records) {
        byte[] link = linkName(entry, records, "hard link target");
        EntryPath target = EntryPath.parse(link, limits.maxNameLength(), "hard link target",
                EntryPath.abbreviate(new String(link, StandardCharsets.UTF_8)) + "' of entry '" + current);
        if (target.isRoot()) {
            throw KeelException.invalid("layer entry '%s' is a hard link to the root directory", current);
        }
        if (java.util.Arrays.equals(target.bytes(), path.bytes())) {
            return; // a link to itself: nothing to do
        }
        if (writers != null && writers.conflicts(target.key())) {
            drain(); // the target must be complete before it gets a second name
        }
        int targetParent;
        try {
            targetParent = root.dir(target.parent(), false);
        } catch (SysError e) {
            throw KeelException.invalid("layer entry '%s' is a hard link to '%s', which is not in the layer root (%s)",
                    current, target, e.getMessage());
        }
        byte[] targetBase = target.baseZ();
        int targetMode = root.statMode(targetParent, targetBase, 0);
        if (targetMode == 0 || (targetMode & LibC.S_IFMT) == LibC.S_IFDIR) {
            throw KeelException.invalid("layer entry '%s' is a hard link to '%s', which %s in the layer root", current,
                    target, targetMode == 0 ? "does not exist" : "is a directory");
        }
        if (LibC.linkat(targetParent, targetBase, parent, base, 0) < 0) {
            if (LibC.errno() != LibC.EEXIST) {
                throw linkFailed(target, LibC.errno());
            }
            replace(parent, base, false);
            if (LibC.linkat(targetParent, targetBase, parent, base, 0) < 0) {
                throw linkFailed(target, LibC.errno());
            }
        }
    }

    private KeelException linkFailed(EntryPath target, int errno) {
        if (errno == LibC.ENOSPC || errno == LibC.EDQUOT) {
            return failed(new SysError("linkat", current, errno));
        }
        return KeelException.invalid("layer entry '%s' cannot be a hard link to '%s': %s", current, target,
                LibC.strerror(errno));
    }

    private void node(TarArchiveEntry entry, int parent, byte[] base, int type, PaxRecords records) {
        int mode = entry.getMode() & 07777;
        long dev = type == LibC.S_IFIFO ? 0 : LibC.makedev(entry.getDevMajor(), entry.getDevMinor());
        if (LibC.mknodat(parent, base, type | mode, dev) < 0) {
            if (LibC.errno() != LibC.EEXIST) {
                throw new SysError("mknodat", current, LibC.errno());
            }
            replace(parent, base, false);
            SysError.check(LibC.mknodat(parent, base, type | mode, dev), "mknodat", current);
        }
        SysError.check(LibC.fchownat(parent, base, uid(entry), gid(entry), LibC.AT_SYMLINK_NOFOLLOW), "lchown",
                current);
        for (Map.Entry<String, byte[]> xattr : xattrs(records)) {
            xattrResult(RootDir.lsetxattrAt(parent, base, z(xattr.getKey()), xattr.getValue()), xattr.getKey(), false);
        }
        SysError.check(LibC.fchmodat(parent, base, mode, LibC.AT_SYMLINK_NOFOLLOW), "fchmodat", current);
        times(entry);
        SysError.check(LibC.utimensat(parent, base, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", current);
    }

    /**
     * Makes room for a new {@code base}: removes what is there (recursively for a directory),
     * unless {@code keepDirectory} and it is a directory. Returns whether the path is now free.
     */
    private boolean replace(int parent, byte[] base, boolean keepDirectory) {
        int mode = root.statMode(parent, base, 0);
        if (mode == 0) {
            return true;
        }
        if (keepDirectory && (mode & LibC.S_IFMT) == LibC.S_IFDIR) {
            return false;
        }
        root.removeAll(parent, base, mode);
        return true;
    }

    private void whiteout(TarArchiveEntry entry, EntryPath path) {
        if (path.baseStartsWith(WHITEOUT_META_PREFIX)) {
            if (java.util.Arrays.equals(path.baseZ(), OPAQUE_Z)) {
                opaque(path.parent());
            }
            return; // other .wh..wh. names are AUFS metadata, ignored as Docker and containerd do
        }
        byte[] victim = path.baseSuffixZ(WHITEOUT_PREFIX.length());
        if (victim.length == 1 || victim.length == 2 && victim[0] == '.'
                || victim.length == 3 && victim[0] == '.' && victim[1] == '.') {
            throw KeelException.invalid("layer entry '%s' is a whiteout of '%s', which is not a name in its directory",
                    current, RootDir.show(victim));
        }
        EntryPath deleted = path.sibling(victim);
        if (style == WhiteoutStyle.OVERLAY) {
            int parent = root.dir(path.parent(), true);
            if (root.statMode(parent, victim, 0) != 0) {
                return; // this layer has its own file there, which already hides the lower one
            }
            SysError.check(LibC.mknodat(parent, victim, LibC.S_IFCHR, 0), "mknodat", current);
            SysError.check(LibC.fchownat(parent, victim, uid(entry), gid(entry), LibC.AT_SYMLINK_NOFOLLOW), "lchown",
                    current);
            return;
        }
        if (unpacked.contains(deleted.key())) {
            return; // a whiteout hides lower layers only, never this layer's own files
        }
        int parent;
        try {
            parent = root.dir(path.parent(), false);
        } catch (SysError e) {
            if (e.errno() == LibC.ENOENT || e.errno() == LibC.ENOTDIR) {
                return; // nothing there to delete
            }
            throw e;
        }
        int mode = root.statMode(parent, victim, 0);
        if (mode != 0) {
            root.removeAll(parent, victim, mode);
        }
    }

    private void opaque(EntryPath dir) {
        if (style == WhiteoutStyle.OVERLAY) {
            int fd = root.dir(dir, true);
            int readable = SysError.check(LibC.openat(fd, DOT, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0),
                    "openat", current);
            try {
                SysError.check(LibC.fsetxattr(readable, OVERLAY_OPAQUE, YES, 1, 0), "fsetxattr", current);
            } finally {
                LibC.close(readable);
            }
            return;
        }
        int fd;
        try {
            fd = root.dir(dir, false);
        } catch (SysError e) {
            if (e.errno() == LibC.ENOENT) {
                return;
            }
            throw e;
        }
        root.emptyDir(fd, DOT, dir.bytes(), p -> unpacked.contains(new String(p, StandardCharsets.ISO_8859_1)));
    }

    private void markUnpacked(EntryPath path) {
        String key = path.key();
        while (unpacked.add(key)) {
            int slash = key.lastIndexOf('/');
            if (slash < 0) {
                return;
            }
            key = key.substring(0, slash);
        }
    }

    private byte[] linkName(TarArchiveEntry entry, PaxRecords records, String what) {
        byte[] link = records != null && records.linkPath != null ? records.linkPath : latin1(entry.getLinkName());
        if (link.length > limits.maxNameLength()) {
            throw KeelException.invalid("layer entry '%s' has a %s of %d bytes, over the limit of %d bytes "
                    + "(UnpackLimits.maxNameLength)", current, what, link.length, limits.maxNameLength());
        }
        for (byte b : link) {
            if (b == 0) {
                throw KeelException.invalid("layer entry '%s' has a %s with a NUL byte", current, what);
            }
        }
        return link;
    }

    /** The xattrs to set: all of the entry's, except overlayfs's own, which only whiteouts may set. */
    private static Iterable<Map.Entry<String, byte[]>> xattrs(PaxRecords records) {
        if (records == null || records.xattrs.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<String, byte[]>> list = new ArrayList<>(records.xattrs.size());
        for (Map.Entry<String, byte[]> xattr : records.xattrs.entrySet()) {
            if (!xattr.getKey().startsWith("trusted.overlay.")) {
                list.add(xattr);
            }
        }
        return list;
    }

    /** As containerd: an xattr the file system does not support is skipped, so is user.* where not allowed. */
    private void xattrResult(int rc, String key, boolean fileOrDirectory) {
        if (rc >= 0) {
            return;
        }
        int errno = LibC.errno();
        if (errno == LibC.EOPNOTSUPP || errno == LibC.EPERM && key.startsWith("user.") && !fileOrDirectory) {
            return;
        }
        throw new SysError("setxattr " + key, current, errno);
    }

    private int uid(TarArchiveEntry entry) {
        return id(entry.getLongUserId(), "uid");
    }

    private int gid(TarArchiveEntry entry) {
        return id(entry.getLongGroupId(), "gid");
    }

    private int id(long id, String what) {
        if (id < 0 || id > MAX_ID) {
            throw KeelException.invalid("layer entry '%s' has %s %d, outside 0..%d", current, what, id, MAX_ID);
        }
        return (int) id;
    }

    /** Sets {@link #times}: atime as containerd (the later of atime and mtime), then mtime. */
    private void times(TarArchiveEntry entry) {
        Instant mtime = instant(entry.getLastModifiedTime());
        FileTime accessed = entry.getLastAccessTime();
        Instant atime = accessed == null ? mtime : instant(accessed);
        if (atime.isBefore(mtime)) {
            atime = mtime;
        }
        times[0] = atime.getEpochSecond();
        times[1] = atime.getNano();
        times[2] = mtime.getEpochSecond();
        times[3] = mtime.getNano();
    }

    private static Instant instant(FileTime time) {
        return time == null ? Instant.EPOCH : time.toInstant();
    }

    KeelException failed(SysError e) {
        int errno = e.errno();
        String message = "cannot apply layer entry '" + current + "': " + e.getMessage();
        if (errno == LibC.ENOSPC || errno == LibC.EDQUOT) {
            return new KeelException(ErrorKind.UNAVAILABLE, message + "; free space and retry", e);
        }
        if (errno == LibC.EPERM || errno == LibC.EACCES) {
            return new KeelException(ErrorKind.PERMISSION_DENIED, message, e);
        }
        if (errno == LibC.ENOENT || errno == LibC.ENOTDIR || errno == LibC.ELOOP || errno == LibC.EEXIST
                || errno == LibC.EISDIR || errno == LibC.ENAMETOOLONG || errno == LibC.EXDEV || errno == LibC.EMLINK
                || errno == LibC.EINVAL || errno == LibC.ENOTEMPTY) {
            return new KeelException(ErrorKind.INVALID_ARGUMENT, message, e);
        }
        return new KeelException(ErrorKind.INTERNAL, message, e);
    }

    private static byte[] latin1(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] z(String s) {
        return RootDir.z(s.getBytes(StandardCharsets.UTF_8));
    }
}
