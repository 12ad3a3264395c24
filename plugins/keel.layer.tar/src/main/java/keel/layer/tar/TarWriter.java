package keel.layer.tar;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes files as tar entries, each read relative to its parent's descriptor without following a
 * symlink (a symlink is written as a symlink). Files with several links that are written twice
 * become hard links to the first name. PAX headers carry long names and large numbers.
 */
final class TarWriter implements AutoCloseable {
    private static final int O_READ = LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;

    private final TarArchiveOutputStream tar;
    private final Map<String, String> linked = new HashMap<>();
    private long entries;

    TarWriter(OutputStream out) {
        this.tar = new TarArchiveOutputStream(out, 1 << 16);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    long entries() {
        return entries;
    }

    /**
     * Writes {@code nameZ} of {@code dirfd} as entry {@code name}: a directory as its header only.
     * Returns what it wrote, or null when the file is gone.
     */
    FileInfo write(int dirfd, byte[] nameZ, String name, FileInfo info) throws IOException {
        if (info == null) {
            return null;
        }
        TarArchiveEntry entry;
        boolean content = false;
        switch (info.type()) {
            case LibC.S_IFDIR -> entry = new TarArchiveEntry(name.isEmpty() || name.endsWith("/") ? name : name + "/");
            case LibC.S_IFLNK -> {
                entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                entry.setLinkName(readLink(dirfd, nameZ));
            }
            case LibC.S_IFCHR, LibC.S_IFBLK -> {
                entry = new TarArchiveEntry(name, info.type() == LibC.S_IFCHR ? TarConstants.LF_CHR
                        : TarConstants.LF_BLK);
                entry.setDevMajor(info.rdevMajor());
                entry.setDevMinor(info.rdevMinor());
            }
            case LibC.S_IFIFO -> entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            case LibC.S_IFREG -> {
                String key = info.devMajor() + ":" + info.devMinor() + ":" + info.ino();
                String first = info.nlink() > 1 ? linked.putIfAbsent(key, name) : null;
                if (first != null) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    entry.setLinkName(first);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(info.size());
                    content = true;
                }
            }
            default -> {
                return null; // a socket: tar has no type for it
            }
        }
        entry.setMode(info.mode() & 07777);
        entry.setIds(info.uid(), info.gid());
        entry.setModTime(FileTime.from(Instant.ofEpochSecond(info.mtimeSec(), info.mtimeNsec())));
        if (content) {
            int fd = SysError.check(LibC.openat(dirfd, nameZ, O_READ, 0), "open", RootDir.show(nameZ));
            try (InputStream in = new FileInputStream("/proc/self/fd/" + fd)) {
                tar.putArchiveEntry(entry);
                long copied = copy(in, info.size());
                for (long left = info.size() - copied; left > 0;) { // it shrank while read: pad, as GNU tar
                    int n = (int) Math.min(left, 1 << 16);
                    tar.write(new byte[n]);
                    left -= n;
                }
            } finally {
                LibC.close(fd);
            }
        } else {
            tar.putArchiveEntry(entry);
        }
        tar.closeArchiveEntry();
        entries++;
        return info;
    }

    /** An empty regular file entry, for whiteouts. */
    void marker(String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0);
        entry.setModTime(FileTime.from(Instant.EPOCH));
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
        entries++;
    }

    /**
     * Writes the tree under open directory {@code dirfd} (read-only descriptor) with names under
     * {@code prefix} ("" or ending in '/'); never descends into a directory on another mount than
     * {@code root}, whose own entry it still writes.
     */
    void tree(int dirfd, String prefix, FileInfo root) throws IOException {
        List<byte[]> names = new ArrayList<>(RootDir.list(dirfd));
        names.sort(Arrays::compare);
        for (byte[] nameZ : names) {
            String name = prefix + RootDir.show(nameZ);
            FileInfo info = write(dirfd, nameZ, name, FileInfo.at(dirfd, nameZ));
            if (info == null || !info.isDirectory() || info.otherMount(root)) {
                continue;
            }
            int child = LibC.openat(dirfd, nameZ, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW
                    | LibC.O_CLOEXEC, 0);
            if (child < 0) {
                if (LibC.errno() == LibC.ENOENT) {
                    continue;
                }
                throw new SysError("open", name, LibC.errno());
            }
            try {
                tree(child, name + "/", root);
            } finally {
                LibC.close(child);
            }
        }
    }

    private long copy(InputStream in, long size) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        while (copied < size) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
            if (n < 0) {
                break;
            }
            tar.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    private static String readLink(int dirfd, byte[] nameZ) {
        byte[] target = new byte[4097];
        long n = LibC.readlinkat(dirfd, nameZ, target, target.length - 1);
        if (n < 0) {
            throw new SysError("readlink", RootDir.show(nameZ), LibC.errno());
        }
        return new String(target, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** Ends the archive (two zero blocks); the stream given stays open. */
    @Override
    public void close() throws IOException {
        tar.finish();
        tar.flush();
    }
}
