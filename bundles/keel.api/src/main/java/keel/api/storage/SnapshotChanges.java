package keel.api.storage;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.layer.Change;

/**
 * A capability of a storage driver: what a snapshot changed against its parent, as a list (the
 * kernel turns it into {@code keel diff} and, with a {@link keel.api.layer.LayerPacker}, into the
 * layer of {@code keel commit}).
 */
@ConsumerType
public interface SnapshotChanges {

    /**
     * The changes of active or committed snapshot {@code key} against its parent chain, sorted by
     * path: added and changed paths (a directory with changes below it is changed), deletions
     * (a deleted directory is one change), opaque directories. Never follows a symlink.
     */
    List<Change> changes(String key);
}
