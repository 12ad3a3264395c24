package keel.api.layer;

import java.nio.file.Path;
import java.util.List;

import keel.api.runtime.Mount;

/**
 * A root filesystem to read or write inside: either a directory that is already there (such as
 * {@code /proc/PID/root} of a running container) or the mounts that make it (a snapshot's, as a
 * storage driver returns them), which the callee mounts for the call only, where no other process
 * sees them. Every path inside is resolved as if this were {@code /}: no symlink leads out.
 *
 * @param directory the root directory, or null
 * @param mounts the mounts that make the root, or null
 */
public record RootSource(Path directory, List<Mount> mounts) {
    public RootSource {
        if ((directory == null) == (mounts == null || mounts.isEmpty())) {
            throw new IllegalArgumentException("a root source is a directory or mounts, exactly one");
        }
        mounts = mounts == null ? null : List.copyOf(mounts);
    }

    public static RootSource of(Path directory) {
        return new RootSource(directory, null);
    }

    public static RootSource of(List<Mount> mounts) {
        return new RootSource(null, mounts);
    }
}
