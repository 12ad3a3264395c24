package keel.kernel.containers;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.container.ContainerStatus;
import keel.api.driver.DriverKind;
import keel.api.space.PruneReport;
import keel.api.storage.Snapshot;
import keel.api.storage.StorageDriver;
import keel.kernel.drivers.Drivers;
import keel.kernel.images.ImageManager;

/**
 * What a daemon does once at start-up with what an earlier one, killed in the middle of an
 * operation, left behind. The records themselves are never half-written (temporary files and
 * record-less directories go when their stores open); this removes what records no longer name:
 * <ul>
 * <li>the cgroup of a container that is not running but whose record names one (killed between
 * making the cgroup and recording the process: whatever runs in it is killed with it);</li>
 * <li>the snapshot {@code container-ID} of a container that has no record (killed between preparing
 * the root and writing the record);</li>
 * <li>then a garbage collection: blobs of a pull, load or commit that recorded no image, layer
 * snapshots no image uses, {@code extract-} snapshots of an unpack.</li>
 * </ul>
 * Runs on a thread of its own (it waits for the drivers and for content writers in flight); each
 * container is handled under its lock, the snapshots and the collection under the exclusive content
 * lock, so nothing that an operation started since is still making is taken.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    static final String SNAPSHOT_PREFIX = "container-";

    private final ContainerStore store;
    private final ContainerLocks locks;
    private final Drivers drivers;
    private final ImageManager images;

    Recovery(ContainerStore store, ContainerLocks locks, Drivers drivers, ImageManager images) {
        this.store = store;
        this.locks = locks;
        this.drivers = drivers;
        this.images = images;
    }

    /** Starts the recovery on a thread of its own; it logs "start-up recovery done" when it ends. */
    void startInBackground() {
        Thread thread = new Thread(this::run, "keel-recovery");
        thread.setDaemon(true);
        thread.start();
    }

    void run() {
        int cgroups = 0;
        try {
            cgroups = destroyLeftCgroups();
            StorageDriver storage = drivers.storage(); // waited for before the lock, which holds up pulls and runs
            PruneReport collected = images.collectAfter(() -> removeOrphanSnapshots(storage));
            LOG.info("start-up recovery done: {} cgroups of stopped containers destroyed, {} layers collected ({} bytes)",
                    cgroups, collected.deleted().size(), collected.reclaimed());
        } catch (RuntimeException e) {
            LOG.warn("start-up recovery done, incomplete ({} cgroups destroyed): {}; the next start or prune "
                    + "tries again", cgroups, e.getMessage(), e);
        }
    }

    private int destroyLeftCgroups() {
        int destroyed = 0;
        for (ContainerRecord listed : List.copyOf(store.all())) {
            if (listed.cgroup() == null || isLive(listed)) {
                continue;
            }
            Optional<ContainerLocks.Held> free = locks.holdIfFree(listed.id());
            if (free.isEmpty()) {
                continue; // an operation on it runs now (a start): it handles its cgroup itself
            }
            try (ContainerLocks.Held held = free.get()) {
                ContainerRecord r = store.get(listed.id());
                if (r.cgroup() == null || isLive(r)) {
                    continue;
                }
                drivers.cgroup(ContainerManager.madeBy(r, DriverKind.CGROUP)).destroy(r.cgroup());
                store.put(r.with(r.state(), r.process(), null, r.drivers()));
                LOG.info("container {}: destroyed the cgroup a killed daemon left (the container is {})", r.name(),
                        r.state().status().label());
                destroyed++;
            } catch (KeelException e) {
                LOG.warn("container {}: cannot destroy its left cgroup: {}", listed.name(), e.getMessage());
            }
        }
        return destroyed;
    }

    /** Under the exclusive content lock: no creation is between preparing a snapshot and recording it. */
    private void removeOrphanSnapshots(StorageDriver storage) {
        for (Snapshot s : storage.list()) {
            if (!s.key().startsWith(SNAPSHOT_PREFIX)) {
                continue;
            }
            String id = s.key().substring(SNAPSHOT_PREFIX.length());
            if (store.all().stream().noneMatch(r -> r.id().equals(id))) {
                storage.remove(s.key());
                LOG.info("removed snapshot {}: its container was never recorded (a daemon killed while creating it)",
                        s.key());
            }
        }
    }

    private static boolean isLive(ContainerRecord r) {
        return r.state().status() == ContainerStatus.RUNNING || r.state().status() == ContainerStatus.PAUSED;
    }
}
