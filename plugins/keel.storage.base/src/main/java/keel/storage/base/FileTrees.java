package keel.storage.base;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import keel.api.storage.Usage;

/**
 * Walks a snapshot's directory tree through directory descriptors, never following a symlink and
 * never crossing into another mount: a layer is untrusted input (symlinks to {@code /}, names that
 * are not UTF-8, directories with mode 000) and a stray mount inside a tree must not be emptied.
 */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code dir} and everything under it; nothing if it does not exist. */
    public static void delete(Path dir) throws IOException {
        Dir top;
        try {
            top = Dir.open(dir);
        } catch (NativeIOException e) {
            if (e.errno() == Libc.ENOENT) {
                return;
            }
            if (e.errno() == Libc.ENOTDIR || e.errno() == Libc.ELOOP) { // a file or symlink, not a directory
                unlink(Libc.AT_FDCWD, Libc.cstr(dir), 0, dir.toString());
                return;
            }
            throw e;
        }
        try (top) {
            Stat root = top.stat();
            emptyDirectory(top, root);
        }
        unlink(Libc.AT_FDCWD, Libc.cstr(dir), Libc.AT_REMOVEDIR, dir.toString());
    }

    private static void emptyDirectory(Dir dir, Stat root) throws IOException {
        for (Dir.Entry entry : dir.entries()) {
            byte[] name = entry.name();
            boolean directory = entry.type() == Dir.DT_DIR;
            if (entry.type() == Dir.DT_UNKNOWN) {
                directory = dir.stat(name).isDirectory();
            }
            if (directory) {
                try (Dir child = dir.child(name)) {
                    if (!child.stat().sameMount(root)) {
                        throw new IOException("refusing to delete " + child.path()
                                + ": something is mounted there; unmount it first");
                    }
                    emptyDirectory(child, root);
                }
                unlink(dir.fd(), Libc.cstr(name), Libc.AT_REMOVEDIR, dir.describe(name));
            } else {
                unlink(dir.fd(), Libc.cstr(name), 0, dir.describe(name));
            }
        }
    }

    private static void unlink(int dirfd, byte[] name, int flags, String subject) throws NativeIOException {
        if (Libc.unlinkat(dirfd, name, flags) != 0 && Libc.errno() != Libc.ENOENT) {
            throw NativeIOException.last("unlink", subject);
        }
    }

    /**
     * Bytes on disk ({@code st_blocks} × 512) and inodes of the tree at {@code dir}, the directory
     * itself included; a file with several hard links in the tree counts once.
     */
    public static Usage usage(Path dir) throws IOException {
        try (Dir top = Dir.open(dir)) {
            Stat root = top.stat();
            long[] totals = {root.blocks() * 512, 1};
            walkUsage(top, root, totals, new HashSet<>());
            return new Usage(totals[0], totals[1]);
        }
    }

    private static void walkUsage(Dir dir, Stat root, long[] totals, Set<Long> linked) throws IOException {
        for (Dir.Entry entry : dir.entries()) {
            Stat st = dir.stat(entry.name());
            if (!st.isDirectory() && st.nlink() > 1 && !linked.add(st.ino())) {
                continue;
            }
            totals[0] += st.blocks() * 512;
            totals[1]++;
            if (st.isDirectory()) {
                try (Dir child = dir.child(entry.name())) {
                    if (child.stat().sameMount(root)) {
                        walkUsage(child, root, totals, linked);
                    }
                }
            }
        }
    }

    /** {@code syncfs(2)} on the filesystem that holds {@code dir}. */
    public static void syncFilesystem(Path dir) throws IOException {
        try (Dir d = Dir.open(dir)) {
            if (Libc.syncfs(d.fd()) != 0) {
                throw NativeIOException.last("syncfs", dir.toString());
            }
        }
    }
}
