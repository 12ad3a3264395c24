package keel.api.space;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's disk space: usage per kind, and pruning. Content (blobs and layer snapshots) is
 * freed only when no image and no container uses it; a concurrent pull or run keeps what it has
 * just written.
 */
@ProviderType
public interface SpaceService {

    /** What images, containers, volumes and the build cache use, with a row per image and container. */
    DiskUsage usage();

    /** Removes every container that is not running or paused, with its writable layer. */
    PruneReport pruneContainers();

    /**
     * Removes dangling images (no name), or with {@code all} every image no container uses, then
     * the blobs and layer snapshots nothing uses any more.
     */
    PruneReport pruneImages(boolean all);

    /**
     * Removes the anonymous volumes no container mounts, or with {@code all} every volume no
     * container mounts, with their data.
     */
    PruneReport pruneVolumes(boolean all);
}
