package keel.api.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;
import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;

/**
 * A snapshotter (containerd's vocabulary). Calls return the mounts to make, as data; the caller
 * makes them. A snapshot is visible only when complete.
 */
@ConsumerType
public interface StorageDriver extends Driver {

    /** A writable snapshot {@code key} on top of committed {@code parent} (null for empty). */
    List<Mount> prepare(String key, String parent, Map<String, String> labels);

    /** A read-only view {@code key} of committed {@code parent}. */
    List<Mount> view(String key, String parent, Map<String, String> labels);

    /** The mounts of an active snapshot or view. */
    List<Mount> mounts(String key);

    /** Turns active snapshot {@code key} into committed snapshot {@code name}. */
    void commit(String name, String key, Map<String, String> labels);

    /** Removes a snapshot; refused (conflict) while it is the parent of another. */
    void remove(String key);

    Snapshot stat(String key);

    List<Snapshot> list();

    Usage usage(String key);

    /** The writable directory of an active snapshot, for unpacking a layer into it. */
    Path upperDir(String key);

    /** How layers unpacked into this driver's snapshots must write whiteouts. */
    WhiteoutStyle whiteoutStyle();
}
