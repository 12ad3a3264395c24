package keel.storage.base;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.SnapshotKind;

/**
 * What one storage driver does differently from another; {@link Snapshotter} does the rest (keys,
 * records, parents, crash recovery, locking). A snapshot {@code id} owns {@code <home>/<dir>/<id>}
 * for each of {@link #snapshotDirs()}; {@code fs} is always first and holds the snapshot's own
 * layer (what {@code upperDir} returns and {@code usage} measures).
 */
public interface Layout {
    /** The driver id: {@code overlay}, {@code copy}; the home is {@code <root>/storage.<id>}. */
    String driverId();

    /** The per-snapshot directory families, {@code fs} first. */
    List<String> snapshotDirs();

    /** Throws {@link keel.api.KeelException} (unavailable) when this host cannot run the driver at {@code home}. */
    default void checkHost(Path home) {
    }

    /** Throws {@link keel.api.KeelException} when a snapshot cannot have these parents (nearest first), e.g. too many. */
    default void checkParents(java.util.List<Long> parents) {
    }

    /**
     * Makes the directories of a new snapshot; {@code parents} are committed ids, nearest first.
     * Runs outside the driver's lock, concurrently with other creates; a failure may leave
     * partial directories, which the caller deletes.
     */
    void create(Path home, long id, SnapshotKind kind, List<Long> parents) throws IOException;

    /** The mounts that give an active snapshot or view, as data. */
    List<Mount> mounts(Path home, long id, SnapshotKind kind, List<Long> parents);

    WhiteoutStyle whiteoutStyle();

    /** What snapshot {@code id}'s own layer changed against its {@code parents} (nearest first). */
    List<keel.api.layer.Change> changes(Path home, long id, List<Long> parents) throws IOException;

    /** Driver-specific facts for {@code describe()}. */
    default Map<String, String> describe(Path home) {
        return Map.of();
    }

    /** {@code <home>/fs/<id>}: the snapshot's own layer. */
    static Path layer(Path home, long id) {
        return home.resolve("fs").resolve(Long.toString(id));
    }
}
