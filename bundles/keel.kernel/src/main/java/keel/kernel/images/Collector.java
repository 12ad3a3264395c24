package keel.kernel.images;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageInfo;
import keel.api.storage.Snapshot;
import keel.api.storage.SnapshotKind;
import keel.api.storage.StorageDriver;
import keel.kernel.content.BlobStore;

/**
 * Mark and sweep over the content store and the layer snapshots. Marked: every image's manifest,
 * config and layer blobs and its layers' chain-id snapshots, and every snapshot under a container's
 * (an active snapshot and its parents). Swept: unmarked blobs, unmarked chain-id snapshots (leaves
 * first, since a parent cannot go before its children), {@code extract-} snapshots a crashed
 * unpack left and {@code container-ID} snapshots of containers that have no record (a daemon killed
 * between preparing a container's root and recording it). Snapshots of any other name are never
 * touched. The caller holds the exclusive
 * {@link ContentLock}, so no pull or run is between writing content and recording its user.
 */
public final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);

    /** What a collection removed: blob digests, snapshot keys, and the bytes they used. */
    record Result(List<String> blobs, List<String> snapshots, long reclaimed) {
        static final Result NOTHING = new Result(List.of(), List.of(), 0);
    }

    private Collector() {
    }

    /** The blobs that {@code images} use. */
    public static Set<Digest> blobsOf(Collection<ImageInfo> images) {
        Set<Digest> live = new HashSet<>();
        for (ImageInfo image : images) {
            live.add(image.manifest().digest());
            live.add(image.id());
            image.layers().stream().map(Descriptor::digest).forEach(live::add);
        }
        return live;
    }

    /** The layer snapshots {@code image} uses, by chain id. */
    public static List<String> snapshotsOf(ImageInfo image) {
        return ChainIds.of(image.config().diffIds()).stream().map(Digest::toString).toList();
    }

    /** Every snapshot that an active snapshot or view (a container's root) stands on, and itself. */
    public static Set<String> underContainers(Map<String, Snapshot> snapshots) {
        Set<String> live = new HashSet<>();
        for (Snapshot s : snapshots.values()) {
            if (s.kind() != SnapshotKind.COMMITTED && !s.key().startsWith("extract-")) {
                for (String key = s.key(); key != null && live.add(key); ) {
                    Snapshot current = snapshots.get(key);
                    key = current == null ? null : current.parent();
                }
            }
        }
        return live;
    }

    /** The prefix of a container's own snapshot, {@code container-ID}. */
    public static final String CONTAINER_PREFIX = "container-";

    /**
     * Collects; {@code containers} are the ids of the recorded containers, or null when unknown (then
     * no container snapshot is taken for an orphan).
     */
    static Result collect(Collection<ImageInfo> images, BlobStore blobs, StorageDriver storage, Set<String> containers) {
        long reclaimed = 0;
        Set<Digest> liveBlobs = blobsOf(images);
        List<String> removedBlobs = new ArrayList<>();
        for (Map.Entry<Digest, Long> blob : blobs.list().entrySet()) {
            if (!liveBlobs.contains(blob.getKey())) {
                blobs.delete(blob.getKey());
                removedBlobs.add(blob.getKey().toString());
                reclaimed += blob.getValue();
            }
        }
        Map<String, Snapshot> snapshots = new HashMap<>();
        storage.list().forEach(s -> snapshots.put(s.key(), s));
        Set<String> garbage = new HashSet<>();
        Map<String, Snapshot> recorded = new HashMap<>(snapshots);
        for (Snapshot s : snapshots.values()) {
            if (containers != null && s.kind() == SnapshotKind.ACTIVE && s.key().startsWith(CONTAINER_PREFIX)
                    && !containers.contains(s.key().substring(CONTAINER_PREFIX.length()))) {
                garbage.add(s.key()); // of a container never recorded: it keeps no layer alive
                recorded.remove(s.key());
            }
        }
        Set<String> liveSnapshots = underContainers(recorded);
        images.forEach(i -> liveSnapshots.addAll(snapshotsOf(i)));
        for (Snapshot s : snapshots.values()) {
            boolean layer = s.kind() == SnapshotKind.COMMITTED && ChainIds.isChainKey(s.key());
            boolean debris = s.kind() == SnapshotKind.ACTIVE && s.key().startsWith("extract-");
            if ((layer || debris) && !liveSnapshots.contains(s.key())) {
                garbage.add(s.key());
            }
        }
        List<String> removedSnapshots = new ArrayList<>();
        for (boolean progress = true; progress && !garbage.isEmpty(); ) {
            progress = false;
            for (String key : List.copyOf(garbage)) {
                if (snapshots.values().stream().anyMatch(s -> key.equals(s.parent()))) {
                    continue; // a child goes first
                }
                long bytes = usage(storage, key);
                try {
                    storage.remove(key);
                } catch (KeelException e) {
                    LOG.warn("garbage collection: cannot remove snapshot {}: {}", key, e.getMessage());
                    garbage.remove(key);
                    continue;
                }
                garbage.remove(key);
                snapshots.remove(key);
                removedSnapshots.add(key);
                reclaimed += bytes;
                progress = true;
            }
        }
        return new Result(removedBlobs, removedSnapshots, reclaimed);
    }

    /** A snapshot's own bytes, or 0 if the driver cannot tell. */
    public static long usage(StorageDriver storage, String key) {
        try {
            return storage.usage(key).bytes();
        } catch (KeelException e) {
            return 0;
        }
    }
}
