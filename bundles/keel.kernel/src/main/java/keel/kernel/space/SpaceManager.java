package keel.kernel.space;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import keel.api.KeelException;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.image.Digest;
import keel.api.image.ImageInfo;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.api.space.DiskUsage;
import keel.api.space.PruneReport;
import keel.api.space.SpaceService;
import keel.api.storage.Snapshot;
import keel.api.storage.SnapshotKind;
import keel.api.storage.StorageDriver;
import keel.api.volume.VolumeInfo;
import keel.api.volume.VolumeService;
import keel.kernel.drivers.Drivers;
import keel.kernel.images.ChainIds;
import keel.kernel.images.Collector;
import keel.kernel.images.ContentLock;
import keel.kernel.images.ImageManager;

/**
 * {@code keel system df} and the prunes. Sizes are measured, not estimated: blobs by the content
 * store's file sizes, layers and writable layers by the storage driver's {@code usage}. A container
 * uses the image whose top layer its snapshot stands on.
 */
@Component(service = SpaceService.class)
public class SpaceManager implements SpaceService {
    private final ImageManager images;
    private final ContainerService containers;
    private final Drivers drivers;
    private final EventService events;
    private final VolumeService volumes;

    @Activate
    public SpaceManager(@Reference ImageManager images, @Reference ContainerService containers,
            @Reference Drivers drivers, @Reference EventService events, @Reference VolumeService volumes) {
        this.images = images;
        this.containers = containers;
        this.drivers = drivers;
        this.events = events;
        this.volumes = volumes;
    }

    /** Everything measured at one moment: no collection runs meanwhile. */
    private record View(List<ImageInfo> images, List<ContainerInfo> containers, Map<String, Snapshot> snapshots,
            Map<String, Snapshot> byContainer, Map<Digest, Long> blobs, StorageDriver storage,
            Map<String, Long> usage) {

        long bytes(String snapshot) {
            return usage.computeIfAbsent(snapshot, k -> snapshots.containsKey(k) ? Collector.usage(storage, k) : 0L);
        }

        long bytes(Digest blob) {
            return blobs.getOrDefault(blob, 0L);
        }

        /** The containers (any status) standing on the image's top layer. */
        int users(ImageInfo image) {
            List<String> layers = Collector.snapshotsOf(image);
            if (layers.isEmpty()) {
                return 0;
            }
            String top = layers.get(layers.size() - 1);
            return (int) byContainer.values().stream().filter(s -> top.equals(s.parent())).count();
        }

        /** The image's own blobs and the layer snapshots it has. */
        Set<Object> parts(ImageInfo image) {
            Set<Object> parts = new HashSet<>(Collector.blobsOf(List.of(image)));
            Collector.snapshotsOf(image).stream().filter(snapshots::containsKey).forEach(parts::add);
            return parts;
        }

        long bytes(Set<Object> parts) {
            long sum = 0;
            for (Object part : parts) {
                sum += part instanceof Digest d ? bytes(d) : bytes((String) part);
            }
            return sum;
        }
    }

    private View view() {
        StorageDriver storage = drivers.storage();
        Map<String, Snapshot> snapshots = new HashMap<>();
        Map<String, Snapshot> byContainer = new HashMap<>();
        for (Snapshot s : storage.list()) {
            snapshots.put(s.key(), s);
            String container = s.labels().get("keel.container");
            if (container != null && s.kind() != SnapshotKind.COMMITTED) {
                byContainer.put(container, s);
            }
        }
        return new View(images.list(), containers.list(true), snapshots, byContainer, images.blobs().list(), storage,
                new HashMap<>());
    }

    @Override
    public DiskUsage usage() {
        try (ContentLock.Lease lease = images.contentLock().shared()) {
            View v = view();
            return new DiskUsage(imageSummary(v), containerSummary(v), volumeSummary(v.containers()),
                    DiskUsage.Summary.NONE, imageRows(v), containerRows(v));
        }
    }

    /**
     * Images: every blob and every layer snapshot (also those nothing uses any more, which a prune
     * frees). Reclaimable: all but what the images in use and the containers' layers need.
     */
    private static DiskUsage.Summary imageSummary(View v) {
        Set<Object> all = new HashSet<>(v.blobs().keySet());
        v.snapshots().values().stream().filter(s -> s.kind() == SnapshotKind.COMMITTED && ChainIds.isChainKey(s.key()))
                .forEach(s -> all.add(s.key()));
        Set<Object> kept = new HashSet<>();
        int active = 0;
        for (ImageInfo image : v.images()) {
            if (v.users(image) > 0) {
                active++;
                kept.addAll(v.parts(image));
            }
        }
        kept.addAll(Collector.underContainers(v.snapshots()));
        kept.retainAll(all);
        long size = v.bytes(all);
        return new DiskUsage.Summary(v.images().size(), active, size, size - v.bytes(kept));
    }

    private static DiskUsage.Summary containerSummary(View v) {
        int active = 0;
        long size = 0;
        long reclaimable = 0;
        for (ContainerInfo c : v.containers()) {
            Snapshot s = v.byContainer().get(c.id());
            long bytes = s == null ? 0 : v.bytes(s.key());
            size += bytes;
            if (c.state().status().isLive()) {
                active++;
            } else {
                reclaimable += bytes;
            }
        }
        return new DiskUsage.Summary(v.containers().size(), active, size, reclaimable);
    }

    /**
     * Local volumes: how many, how many a container (running or not) mounts, the bytes of their
     * data, and the bytes of those none mounts (what {@code prune --volumes -a} frees).
     */
    private DiskUsage.Summary volumeSummary(List<ContainerInfo> all) {
        Set<String> mounted = mountedVolumes(all);
        int active = 0;
        long size = 0;
        long reclaimable = 0;
        List<VolumeInfo> list = volumes.volumes();
        for (VolumeInfo volume : list) {
            long bytes = VolumeSizes.bytes(Path.of(volume.mountpoint()));
            size += bytes;
            if (mounted.contains(volume.name())) {
                active++;
            } else {
                reclaimable += bytes;
            }
        }
        return new DiskUsage.Summary(list.size(), active, size, reclaimable);
    }

    private static Set<String> mountedVolumes(List<ContainerInfo> all) {
        Set<String> mounted = new HashSet<>();
        for (ContainerInfo c : all) {
            c.mounts().stream().map(m -> m.name()).filter(java.util.Objects::nonNull).forEach(mounted::add);
        }
        return mounted;
    }

    @Override
    public PruneReport pruneVolumes(boolean all) {
        // only what a prune can remove is measured: the volumes no container mounts
        Set<String> mounted = mountedVolumes(containers.list(true));
        Map<String, Long> sizes = new HashMap<>();
        for (VolumeInfo volume : volumes.volumes()) {
            if (!mounted.contains(volume.name())) {
                sizes.put(volume.name(), VolumeSizes.bytes(Path.of(volume.mountpoint())));
            }
        }
        List<String> removed = volumes.pruneVolumes(all);
        long reclaimed = removed.stream().mapToLong(n -> sizes.getOrDefault(n, 0L)).sum();
        return published("volume", new PruneReport(removed, reclaimed));
    }

    private static List<DiskUsage.ImageUsage> imageRows(View v) {
        Map<Object, Integer> sharing = new HashMap<>();
        for (ImageInfo image : v.images()) {
            v.parts(image).forEach(p -> sharing.merge(p, 1, Integer::sum));
        }
        List<DiskUsage.ImageUsage> rows = new ArrayList<>();
        for (ImageInfo image : v.images()) {
            Set<Object> parts = v.parts(image);
            Set<Object> shared = new HashSet<>(parts);
            shared.removeIf(p -> sharing.get(p) < 2);
            rows.add(new DiskUsage.ImageUsage(image.id().toString(), image.names(), image.created(), v.bytes(parts),
                    v.bytes(shared), v.users(image)));
        }
        return rows;
    }

    private static List<DiskUsage.ContainerUsage> containerRows(View v) {
        List<DiskUsage.ContainerUsage> rows = new ArrayList<>();
        for (ContainerInfo c : v.containers()) {
            Snapshot s = v.byContainer().get(c.id());
            rows.add(new DiskUsage.ContainerUsage(c.id(), c.name(), c.config().image(), c.command(), c.created(),
                    c.state().status().label(), s == null ? 0 : v.bytes(s.key())));
        }
        return rows;
    }

    @Override
    public PruneReport pruneContainers() {
        View v;
        try (ContentLock.Lease lease = images.contentLock().shared()) {
            v = view();
        }
        List<String> deleted = new ArrayList<>();
        long reclaimed = 0;
        for (ContainerInfo c : v.containers()) {
            if (c.state().status().isLive()) {
                continue;
            }
            Snapshot s = v.byContainer().get(c.id());
            long bytes = s == null ? 0 : v.bytes(s.key());
            try {
                containers.remove(c.id(), false);
            } catch (KeelException startedOrGone) {
                continue;
            }
            deleted.add(c.id());
            reclaimed += bytes;
        }
        return published("container", new PruneReport(deleted, reclaimed));
    }

    @Override
    public PruneReport pruneImages(boolean all) {
        View v;
        try (ContentLock.Lease lease = images.contentLock().shared()) {
            v = view();
        }
        List<String> deleted = new ArrayList<>();
        for (ImageInfo image : v.images()) {
            if (v.users(image) > 0 || (!all && !image.names().isEmpty())) {
                continue;
            }
            try {
                deleted.addAll(images.removeRecord(image.manifest().digest().toString(), false));
            } catch (KeelException usedMeanwhile) {
                // a container was created from it since: it stays
            }
        }
        PruneReport collected = images.collect();
        return published("image", new PruneReport(deleted, 0).plus(collected));
    }

    /** A prune event, as docker's: the kind, and the bytes reclaimed. */
    private PruneReport published(String type, PruneReport report) {
        events.publish(new Event(Instant.now(), type, "prune", "", Map.of("reclaimed",
                Long.toString(report.reclaimed()))));
        return report;
    }

}
