package keel.kernel.containers;

import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.cgroup.CgroupPlanner;
import keel.api.cgroup.CgroupRecord;
import keel.api.container.ContainerState;
import keel.api.container.ContainerStatus;
import keel.api.driver.DriverKind;
import keel.api.space.PruneReport;
import keel.kernel.drivers.Drivers;
import keel.kernel.images.ImageManager;

/**
 * What a daemon does once at start-up with what an earlier one, killed in the middle of an
 * operation, left behind. Records are never half-written (temporary files and record-less
 * container directories go when their stores open); this handles what the records say or no
 * longer name:
 * <ul>
 * <li>a container that a commit paused is resumed (the daemon died before the commit let it go);</li>
 * <li>the cgroup of a container that is not running is destroyed: the one its record names, or the
 * one its driver names by the container's id ({@link CgroupPlanner}) if it exists (the daemon died
 * between making the cgroup and recording the process: what runs in it dies with it);</li>
 * <li>a garbage collection, once the launcher has started every bundle (so the storage driver bound
 * is the one that will stay): blobs of a pull, load or commit that recorded no image, layer snapshots
 * no image uses, {@code extract-} snapshots of an unpack, {@code container-ID} snapshots of
 * containers never recorded.</li>
 * </ul>
 * Runs on a thread of its own (it waits for drivers and for the boot); each container under its
 * lock, the collection under the exclusive content lock, so nothing an operation started since is
 * making is taken. Logs "start-up recovery done" at its end.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    /** The launcher raises the start level to this once every bundle is started. */
    private static final int BOOTED_LEVEL = 2;
    private static final long BOOT_WAIT_MS = 30_000;

    private final ContainerStore store;
    private final ContainerLocks locks;
    private final Drivers drivers;
    private final ImageManager images;
    private final BundleContext context;
    private volatile Thread thread;

    Recovery(ContainerStore store, ContainerLocks locks, Drivers drivers, ImageManager images, BundleContext context) {
        this.store = store;
        this.locks = locks;
        this.drivers = drivers;
        this.images = images;
        this.context = context;
    }

    void startInBackground() {
        Thread t = new Thread(this::run, "keel-recovery");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    void run() {
        int resumed = 0;
        int cgroups = 0;
        try {
            resumed = resumeCommitPauses();
            cgroups = destroyLeftCgroups();
            awaitBoot();
            drivers.storage(); // waited for here, not under the content lock, which holds up pulls and runs
            PruneReport collected = images.collect();
            LOG.info("start-up recovery done: {} containers resumed, {} cgroups of stopped containers destroyed, "
                    + "{} layers and {} bytes collected", resumed, cgroups, collected.deleted().size(),
                    collected.reclaimed());
        } catch (InterruptedException e) {
            LOG.info("start-up recovery stopped: the kernel is stopping");
        } catch (RuntimeException e) {
            LOG.warn("start-up recovery done, incomplete ({} containers resumed, {} cgroups destroyed): {}; the next "
                    + "start or prune tries again", resumed, cgroups, e.getMessage(), e);
        }
    }

    private int resumeCommitPauses() {
        int resumed = 0;
        for (ContainerRecord listed : List.copyOf(store.all())) {
            if (!store.isPausedForCommit(listed.id())) {
                continue;
            }
            Optional<ContainerLocks.Held> free = locks.holdIfFree(listed.id());
            if (free.isEmpty()) {
                continue; // a commit of this daemon's has it
            }
            try (ContainerLocks.Held held = free.get()) {
                ContainerRecord r = store.get(listed.id());
                if (r.isLive() && r.cgroup() != null) {
                    drivers.cgroup(ContainerManager.madeBy(r, DriverKind.CGROUP)).thaw(r.cgroup());
                }
                if (r.state().status() == ContainerStatus.PAUSED) {
                    ContainerState s = r.state();
                    store.put(r.with(new ContainerState(ContainerStatus.RUNNING, s.pid(), s.exitCode(), s.oomKilled(),
                            s.startedAt(), s.finishedAt(), s.error(), s.restartCount())));
                }
                store.pausedForCommit(r.id(), false);
                LOG.info("container {}: resumed; a daemon killed during a commit left it paused", r.name());
                resumed++;
            } catch (KeelException e) {
                LOG.warn("container {}: cannot resume it after an interrupted commit: {}", listed.name(), e.getMessage());
            }
        }
        return resumed;
    }

    private int destroyLeftCgroups() {
        int destroyed = 0;
        for (ContainerRecord listed : List.copyOf(store.all())) {
            if (listed.isLive()) {
                continue;
            }
            Optional<ContainerLocks.Held> free = locks.holdIfFree(listed.id());
            if (free.isEmpty()) {
                continue; // an operation on it runs now (a start): it handles its cgroup itself
            }
            try (ContainerLocks.Held held = free.get()) {
                ContainerRecord r = store.get(listed.id());
                if (!r.isLive() && destroyLeftCgroup(r)) {
                    LOG.info("container {}: destroyed the cgroup a killed daemon left (the container is {})", r.name(),
                            r.state().status().label());
                    destroyed++;
                }
            } catch (KeelException e) {
                LOG.warn("container {}: cannot destroy its left cgroup: {}", listed.name(), e.getMessage());
            }
        }
        return destroyed;
    }

    /**
     * The cgroup of a container that does not run: the one its record names, or the one a daemon
     * killed before recording it made (found by the container's id, where the driver names cgroups so).
     */
    private boolean destroyLeftCgroup(ContainerRecord r) {
        CgroupDriver cgroups = drivers.cgroup(ContainerManager.madeBy(r, DriverKind.CGROUP));
        if (r.cgroup() != null) {
            cgroups.destroy(r.cgroup());
            store.put(r.with(r.state(), r.process(), null, r.drivers()));
            return true;
        }
        if (!(cgroups instanceof CgroupPlanner planner)) {
            return false;
        }
        CgroupRecord planned = planner.plan(r.id());
        boolean found = true;
        try {
            cgroups.adopt(planned); // whether it exists
        } catch (KeelException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
            found = false;
        }
        cgroups.destroy(planned); // also the part of one that a daemon killed while making it left
        return found;
    }

    /** Until the launcher has started every bundle (a driver that ranks higher may bind meanwhile), at most 30 s. */
    private void awaitBoot() throws InterruptedException {
        FrameworkStartLevel level = context.getBundle(0).adapt(FrameworkStartLevel.class);
        long deadline = System.nanoTime() + BOOT_WAIT_MS * 1_000_000;
        while (level != null && level.getStartLevel() < BOOTED_LEVEL && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

}
