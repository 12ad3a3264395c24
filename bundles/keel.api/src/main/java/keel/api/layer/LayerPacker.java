package keel.api.layer;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A capability of a layer driver that also writes tar streams (containerd's differ): layers from a
 * list of changes, archives of a container's files, and tar streams put into a container. Every
 * path is resolved inside the {@link RootSource}: a symlink in the container that points to
 * {@code /etc} or {@code ../..} resolves inside it, never on the host.
 */
@ConsumerType
public interface LayerPacker {

    /**
     * Writes {@code changes} as an uncompressed OCI layer tar: added and changed paths with their
     * content read from {@code root} (a directory as one entry, not its tree), deletions as
     * {@code .wh.NAME}, opaque directories with {@code .wh..wh..opq}.
     */
    void writeLayer(RootSource root, List<Change> changes, OutputStream tar);

    /**
     * Writes the tree at {@code path} inside {@code root} as a tar whose top entry is named
     * {@code name} (an empty name: the tree's contents at the top, as {@code docker export}).
     * Never descends into another mount (a running container's /proc, /sys).
     */
    void archive(RootSource root, String path, String name, OutputStream tar);

    /** Applies a plain tar stream onto directory {@code path} inside {@code root}, with the unpacker's rules. */
    UnpackResult extract(RootSource root, String path, InputStream tar, UnpackLimits limits);

    /** What {@code path} inside {@code root} is (its symlinks resolved inside the root), if it exists. */
    Optional<PathKind> kind(RootSource root, String path);

    /** The kind of a path, for {@code cp}'s naming rules. */
    enum PathKind {
        DIRECTORY, OTHER
    }
}
