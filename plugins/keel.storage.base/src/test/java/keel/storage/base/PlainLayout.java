package keel.storage.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.SnapshotKind;

/** A layout that only makes directories, for tests of the metadata core without mounts. */
final class PlainLayout implements Layout {
    volatile IOException failNextCreate;

    @Override
    public String driverId() {
        return "plain";
    }

    @Override
    public List<String> snapshotDirs() {
        return List.of("fs");
    }

    @Override
    public void create(Path home, long id, SnapshotKind kind, List<Long> parents) throws IOException {
        Files.createDirectories(Layout.layer(home, id).resolve("partial"));
        IOException failure = failNextCreate;
        if (failure != null) {
            failNextCreate = null;
            throw failure;
        }
    }

    @Override
    public List<Mount> mounts(Path home, long id, SnapshotKind kind, List<Long> parents) {
        return List.of(new Mount("", "bind", Layout.layer(home, id).toString(), List.of("rbind")));
    }

    @Override
    public List<keel.api.layer.Change> changes(Path home, long id, List<Long> parents) throws IOException {
        return LayerChanges.compare(Layout.layer(home, id), parents.isEmpty() ? null : Layout.layer(home, parents.get(0)));
    }

    @Override
    public WhiteoutStyle whiteoutStyle() {
        return WhiteoutStyle.DELETE;
    }
}
