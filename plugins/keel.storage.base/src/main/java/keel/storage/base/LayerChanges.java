package keel.storage.base;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import keel.api.layer.Change;

/**
 * What a writable layer changed against the layers below it, as {@code docker diff} lists it. Two
 * ways, one per kind of layer: an overlay upper directory holds only what changed (its whiteouts
 * and opaque directories say what was deleted), a full copy is compared with its parent's tree.
 * Both walk directory descriptors (never following a symlink, names as bytes).
 */
public final class LayerChanges {
    private static final byte[] OPAQUE_XATTR = Libc.cstr("trusted.overlay.opaque");

    private LayerChanges() {
    }

    /** The changes of overlay upper directory {@code upper} over {@code lowers} (nearest first). */
    public static List<Change> overlay(java.nio.file.Path upper, List<java.nio.file.Path> lowers) throws IOException {
        List<Change> changes = new ArrayList<>();
        List<Dir> lowerDirs = new ArrayList<>();
        try (Dir top = Dir.open(upper)) {
            for (java.nio.file.Path lower : lowers) {
                lowerDirs.add(Dir.open(lower));
            }
            walkUpper(top, lowerDirs, "", changes);
        } finally {
            lowerDirs.forEach(Dir::close);
        }
        changes.sort(Comparator.comparing(Change::path));
        return changes;
    }

    private static void walkUpper(Dir upper, List<Dir> lowers, String prefix, List<Change> changes)
            throws IOException {
        for (Dir.Entry entry : sorted(upper.entries())) {
            byte[] name = entry.name();
            String path = prefix + "/" + entry.display();
            Stat st = upper.stat(name);
            if (isWhiteout(st)) {
                changes.add(new Change(path, Change.Kind.DELETED));
                continue;
            }
            Lower below = lookup(lowers, name);
            if (!st.isDirectory()) {
                below.directories().forEach(Dir::close);
                changes.add(new Change(path, below.exists() ? Change.Kind.MODIFIED : Change.Kind.ADDED));
                continue;
            }
            boolean opaque = isOpaque(upper, name);
            if (opaque && below.exists()) {
                changes.add(new Change(path, Change.Kind.OPAQUE));
            } else {
                changes.add(new Change(path, below.exists() ? Change.Kind.MODIFIED : Change.Kind.ADDED));
            }
            try (Dir child = upper.child(name)) {
                walkUpper(child, opaque ? List.of() : below.directories(), path, changes);
            } finally {
                below.directories().forEach(Dir::close);
            }
        }
    }

    /**
     * Whether {@code name} is in the merged lower layers, and the lower directories of that name to
     * walk next (each stops the search below it when it is opaque or not a directory).
     */
    private record Lower(boolean exists, List<Dir> directories) {
    }

    private static Lower lookup(List<Dir> lowers, byte[] name) throws IOException {
        boolean exists = false;
        List<Dir> directories = new ArrayList<>();
        for (Dir lower : lowers) {
            if (!contains(lower, name)) {
                continue;
            }
            Stat st = lower.stat(name);
            if (isWhiteout(st)) {
                break;
            }
            exists = true;
            if (!st.isDirectory()) {
                break;
            }
            directories.add(lower.child(name));
            if (isOpaque(lower, name)) {
                break;
            }
        }
        return new Lower(exists, directories);
    }

    /** The changes of full tree {@code active} against full tree {@code parent} (null: all added). */
    public static List<Change> compare(java.nio.file.Path active, java.nio.file.Path parent) throws IOException {
        List<Change> changes = new ArrayList<>();
        try (Dir now = Dir.open(active); Dir before = parent == null ? null : Dir.open(parent)) {
            compare(now, before, "", changes);
        }
        changes.sort(Comparator.comparing(Change::path));
        return changes;
    }

    /** Returns whether anything under {@code now} changed. */
    private static boolean compare(Dir now, Dir before, String prefix, List<Change> changes) throws IOException {
        boolean changed = false;
        for (Dir.Entry entry : sorted(now.entries())) {
            byte[] name = entry.name();
            String path = prefix + "/" + entry.display();
            Stat st = now.stat(name);
            Stat old = before != null && contains(before, name) ? before.stat(name) : null;
            if (old == null) {
                changes.add(new Change(path, Change.Kind.ADDED));
                changed = true;
                if (st.isDirectory()) {
                    try (Dir child = now.child(name)) {
                        compare(child, null, path, changes);
                    }
                }
                continue;
            }
            if (st.isDirectory() && old.isDirectory()) {
                int at = changes.size();
                boolean below;
                try (Dir child = now.child(name); Dir oldChild = before.child(name)) {
                    below = compare(child, oldChild, path, changes);
                }
                if (below || !sameMetadata(st, old)) {
                    changes.add(at, new Change(path, Change.Kind.MODIFIED));
                    changed = true;
                }
                continue;
            }
            if (st.isDirectory()) { // replaced a file: everything below is new
                changes.add(new Change(path, Change.Kind.MODIFIED));
                changed = true;
                try (Dir child = now.child(name)) {
                    compare(child, null, path, changes);
                }
                continue;
            }
            if (!sameMetadata(st, old) || st.type() != old.type()
                    || (st.isSymlink() && !Arrays.equals(link(now, name), link(before, name)))) {
                changes.add(new Change(path, Change.Kind.MODIFIED));
                changed = true;
            }
        }
        if (before != null) {
            for (Dir.Entry entry : before.entries()) {
                if (!contains(now, entry.name())) {
                    changes.add(new Change(prefix + "/" + entry.display(), Change.Kind.DELETED));
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** What a copy keeps unchanged when nothing touched a file: type, mode, owner, size, mtime, device. */
    private static boolean sameMetadata(Stat a, Stat b) {
        boolean sameContent = a.isDirectory() || (a.size() == b.size() && a.mtimeSec() == b.mtimeSec()
                && a.mtimeNsec() == b.mtimeNsec());
        return a.mode() == b.mode() && a.uid() == b.uid() && a.gid() == b.gid() && sameContent
                && a.rdevMajor() == b.rdevMajor() && a.rdevMinor() == b.rdevMinor();
    }

    private static byte[] link(Dir dir, byte[] name) throws NativeIOException {
        byte[] buf = new byte[4097];
        long n = Libc.readlinkat(dir.fd(), Libc.cstr(name), buf, buf.length);
        if (n < 0) {
            throw NativeIOException.last("readlink", dir.describe(name));
        }
        return Arrays.copyOf(buf, (int) n);
    }

    private static boolean isWhiteout(Stat st) {
        return st.type() == Libc.S_IFCHR && st.rdevMajor() == 0 && st.rdevMinor() == 0;
    }

    private static boolean isOpaque(Dir dir, byte[] name) {
        byte[] value = new byte[2];
        long n = Libc.lgetxattr(Libc.cstr(dir.procPath(name)), OPAQUE_XATTR, value, value.length);
        return n == 1 && value[0] == 'y';
    }

    private static boolean contains(Dir dir, byte[] name) {
        for (Dir.Entry e : dir.entries()) {
            if (Arrays.equals(e.name(), name)) {
                return true;
            }
        }
        return false;
    }

    private static List<Dir.Entry> sorted(List<Dir.Entry> entries) {
        List<Dir.Entry> copy = new ArrayList<>(entries);
        copy.sort(Comparator.comparing(e -> new String(e.name(), StandardCharsets.ISO_8859_1)));
        return copy;
    }
}
