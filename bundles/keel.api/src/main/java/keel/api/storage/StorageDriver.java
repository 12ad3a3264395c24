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
 *
 * <p>The mounts make a root filesystem: their destination is empty (the root itself). Options are
 * those of {@code mount(8)}: flags ({@code ro}, {@code rbind}, {@code nosuid}, ...) become mount
 * flags, the others the data string. Options starting with {@code x-} are for the caller and never
 * reach the kernel; {@code x-keel.chdir=DIR} says the other options name paths relative to
 * {@code DIR} (overlay lowerdirs of a deep image, which would not fit the one page {@code mount(2)}
 * takes as absolute paths), so the caller mounts with {@code DIR} as its working directory, from a
 * thread that did {@code unshare(CLONE_FS)} or from a helper process, never by changing the
 * daemon's own.
 *
 * <p>Errors: a malformed key, parent or label is {@code INVALID_ARGUMENT}; an unknown one
 * {@code NOT_FOUND}; a key in use {@code ALREADY_EXISTS}; a snapshot of the wrong kind for the call
 * (a parent that is not committed, a commit of a view, mounts of a committed snapshot) or a remove
 * of a parent {@code CONFLICT}, naming the children.
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
