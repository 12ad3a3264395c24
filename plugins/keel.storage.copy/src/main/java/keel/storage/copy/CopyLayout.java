package keel.storage.copy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.SnapshotKind;
import keel.storage.base.FileTrees;
import keel.storage.base.Layout;
import keel.storage.base.Libc;
import keel.storage.base.NativeIOException;

/**
 * The copy snapshotter's layout (containerd's {@code native}, Docker's {@code vfs}): every active
 * snapshot is a full tree in {@code fs/<id>}, copied from its parent when prepared (reflinked where
 * the filesystem shares extents: btrfs, xfs), so it works on any filesystem, tmpfs and overlayfs
 * included. A committed tree is never written again, so a view is a read-only bind of its parent's
 * tree, without a copy.
 */
public final class CopyLayout implements Layout {
    public static final String ID = "copy";

    private volatile Boolean cloneWorks;

    @Override
    public String driverId() {
        return ID;
    }

    @Override
    public List<String> snapshotDirs() {
        return List.of("fs");
    }

    @Override
    public void create(Path home, long id, SnapshotKind kind, List<Long> parents) throws IOException {
        Path fs = Layout.layer(home, id);
        if (kind == SnapshotKind.ACTIVE && !parents.isEmpty()) {
            TreeCopier.copy(Layout.layer(home, parents.get(0)), fs, true);
            FileTrees.syncFilesystem(home); // the copy is complete on disk before its record names it
            return;
        }
        if (Libc.mkdirat(Libc.AT_FDCWD, Libc.cstr(fs), 0755) != 0) {
            throw NativeIOException.last("mkdir", fs.toString());
        }
        if (Libc.fchmodat(Libc.AT_FDCWD, Libc.cstr(fs), 0755, 0) != 0) {
            throw NativeIOException.last("chmod", fs.toString());
        }
    }

    @Override
    public List<Mount> mounts(Path home, long id, SnapshotKind kind, List<Long> parents) {
        if (kind == SnapshotKind.VIEW) {
            Path tree = parents.isEmpty() ? Layout.layer(home, id) : Layout.layer(home, parents.get(0));
            return List.of(new Mount("", "bind", tree.toString(), List.of("rbind", "ro")));
        }
        return List.of(new Mount("", "bind", Layout.layer(home, id).toString(), List.of("rbind", "rw")));
    }

    @Override
    public List<keel.api.layer.Change> changes(Path home, long id, List<Long> parents) throws IOException {
        return keel.storage.base.LayerChanges.compare(Layout.layer(home, id),
                parents.isEmpty() ? null : Layout.layer(home, parents.get(0)));
    }

    @Override
    public WhiteoutStyle whiteoutStyle() {
        return WhiteoutStyle.DELETE;
    }

    @Override
    public Map<String, String> describe(Path home) {
        Boolean clone = cloneWorks;
        if (clone == null) {
            clone = TreeCopier.canClone(home);
            cloneWorks = clone;
        }
        return Map.of("copy.reflink", clone ? "yes (FICLONE shares extents)" : "no (files are copied)");
    }
}
