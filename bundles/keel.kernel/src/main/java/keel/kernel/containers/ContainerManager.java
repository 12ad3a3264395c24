package keel.kernel.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.cgroup.CgroupPlanner;
import keel.api.cgroup.CgroupRecord;
import keel.api.cgroup.JoinAnticipation;
import keel.api.container.Attach;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.container.ContainerState;
import keel.api.container.ContainerStatus;
import keel.api.container.ExecConfig;
import keel.api.container.LogEntry;
import keel.api.driver.DriverKind;
import keel.api.isolation.ExecRequest;
import keel.api.isolation.ExitNotifier;
import keel.api.isolation.ExitStatus;
import keel.api.isolation.IsolationDriver;
import keel.api.isolation.LaunchHooks;
import keel.api.isolation.LaunchRequest;
import keel.api.isolation.ProcessRecord;
import keel.api.isolation.Stdio;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.api.runtime.ProcessSpec;
import keel.api.volume.VolumeInfo;
import keel.api.volume.VolumeService;
import keel.kernel.KernelSettings;
import keel.kernel.drivers.Drivers;
import keel.kernel.spec.SpecBuilder;
import keel.kernel.spec.UserResolver;
import keel.kernel.state.CrashPoints;
import keel.kernel.system.HostFacts;
import keel.kernel.volumes.MountResolver;
import keel.kernel.volumes.VolumeStore;
import keel.kernel.volumes.Volumes;

/**
 * The container lifecycle: create, start, stop, kill, wait, remove, exec, logs. Keeps only data
 * (records) about each container; asks the bound driver of each kind per call. Operations on one
 * container are serialised by that container's lock, so one wedged container never holds up
 * another. A container's end is learnt at once from an isolation driver that is an
 * {@link ExitNotifier}; a sweep every 250 ms notices the rest (and ones whose supervisor died).
 */
@Component(service = {ContainerService.class, keel.api.network.NetworkService.class, VolumeService.class},
        immediate = true, configurationPid = KernelSettings.PID)
public class ContainerManager implements ContainerService, keel.api.network.NetworkService, VolumeService {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerManager.class);
    private static final int SIGKILL = 9;
    private static final Duration POLL = Duration.ofMillis(10);

    private final Drivers drivers;
    private final EventService events;
    private final KernelSettings settings;
    private final ContainerStore store;
    private final ContainerLocks locks = new ContainerLocks();
    private final ScheduledExecutorService sweeper;
    /** Makes a starting container's cgroup while its process is being set up (see {@link #start}). */
    private final java.util.concurrent.ExecutorService cgroupMaker = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keel-cgroup-make");
        t.setDaemon(true);
        return t;
    });
    private final String defaultNetwork;
    private final keel.kernel.images.ImageManager images;
    private final Networks networks;
    private final ContainerNetworks containerNetworks;
    private final VolumeStore volumeStore;
    private final Volumes volumes;
    private final MountResolver mountResolver;
    private final ImageRootfs imageRootfs = new ImageRootfs();
    private final ContainerArchives archives;
    private final java.util.Set<String> stoppedByUser = ConcurrentHashMap.newKeySet();
    private final Map<String, ExitWatch> exitWatches = new ConcurrentHashMap<>();
    private final Recovery recovery;

    /**
     * A watch of a running container's end, the driver instance that keeps it, and whether it told
     * of the end already.
     */
    private record ExitWatch(ExitNotifier notifier, AutoCloseable handle, AtomicBoolean ended) {
    }

    @Activate
    public ContainerManager(@Reference Drivers drivers, @Reference EventService events,
            @Reference keel.kernel.images.ImageManager images, BundleContext context, Map<String, Object> config) {
        this.drivers = drivers;
        this.images = images;
        this.events = events;
        this.settings = KernelSettings.from(context, config);
        this.store = new ContainerStore(settings.root().resolve("containers"));
        this.networks = new Networks(settings.root().resolve("networks"));
        this.containerNetworks = new ContainerNetworks(drivers, networks, store);
        this.volumeStore = new VolumeStore(settings.root().resolve("volumes"));
        this.volumes = new Volumes(volumeStore, this::volumeUsers);
        this.mountResolver = new MountResolver(volumeStore, name -> !volumeUsers(name).isEmpty());
        this.archives = new ContainerArchives(drivers, settings.root().resolve("tmp"));
        String network = context.getProperty("keel.network.default");
        this.defaultNetwork = network == null || network.isBlank() ? Networks.DEFAULT : network;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-container-sweep");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 250, 250, TimeUnit.MILLISECONDS);
        this.recovery = new Recovery(store, locks, drivers, images, context);
        recovery.startInBackground();
    }

    @Deactivate
    void deactivate() {
        sweeper.shutdownNow();
        cgroupMaker.shutdown();
        recovery.stop();
        List.copyOf(exitWatches.keySet()).forEach(this::stopWatching);
    }

    // --- create ---

    /**
     * Creates a container. For an image, everything from resolving the image to writing the record
     * holds a shared lease on the content, so a concurrent prune cannot take a layer in between.
     */
    @Override
    public ContainerInfo create(ContainerConfig config) {
        try (keel.kernel.images.ContentLock.Lease lease = images.contentLock().shared()) {
            return createLeased(config);
        }
    }

    private ContainerInfo createLeased(ContainerConfig config) {
        if ((config.image() == null) == (config.rootfs() == null)) {
            throw KeelException.invalid("give an image or --rootfs DIR (one of them)");
        }
        Path rootfs = config.rootfs() == null ? null : Path.of(config.rootfs()).toAbsolutePath().normalize();
        if (rootfs != null && !Files.isDirectory(rootfs)) {
            throw KeelException.invalid("--rootfs %s is not a directory", rootfs);
        }
        String network = config.network() != null ? config.network() : defaultNetwork;
        ContainerRecord sharedWith = null;
        if (network.startsWith("container:")) {
            sharedWith = store.find(network.substring("container:".length()));
            network = "container:" + sharedWith.id();
        } else if (isBridged(network)) {
            networks.get(network, drivers.network());
        }
        if (sharedWith != null && (!config.ports().isEmpty() || config.publishAll())) {
            throw KeelException.invalid("-p/-P cannot be used with --network %s: the ports are the other "
                    + "container's to publish", config.network());
        }
        if (!config.networkAliases().isEmpty() && (!isBridged(network) || network.equals(Networks.DEFAULT))) {
            throw KeelException.invalid("--network-alias needs a user-defined network (--network NAME), not %s: the "
                    + "default network resolves no names", network);
        }
        config.networkAliases().forEach(Names::check);
        CgroupDriver cgroups = drivers.cgroup();
        cgroups.validate(config.resources());
        anticipateJoin(cgroups); // a start may follow at once (run): its join then waits less
        keel.api.image.ImageInfo image = config.image() == null ? null : images.resolve(config.image());
        String id = Names.newId();
        String stateDir = settings.run().resolve("c").resolve(id.substring(0, 12)).toString();
        String snapshot = null;
        List<keel.api.runtime.Mount> mounts = List.of();
        keel.api.storage.StorageDriver storage = null;
        if (image != null) {
            storage = drivers.storage();
            String top = imageRootfs.layers(image, images.blobs(), storage, drivers.layer());
            snapshot = keel.kernel.images.Collector.CONTAINER_PREFIX + id;
            mounts = storage.prepare(snapshot, top, Map.of("keel.container", id));
            CrashPoints.reach("create.snapshot-prepared");
            rootfs = Path.of(stateDir).resolve("rootfs");
        }
        List<String> madeVolumes = List.of();
        try {
            synchronized (store) {
                String name = config.name() != null ? Names.check(config.name()) : uniqueGeneratedName();
                if (store.nameTaken(name)) {
                    throw KeelException.conflict("the container name %s is already in use; remove that container or "
                            + "choose another name", name);
                }
                ContainerConfig settled = withNameAndNetwork(config, name, network, config.publishAll() && image != null
                        ? ContainerNetworks.publishAll(config.ports(), image.config().config().exposedPorts())
                        : config.ports());
                Path dir = store.dir(id);
                List<keel.api.runtime.Mount> layers = mounts;
                Path root = rootfs;
                keel.api.image.ImageConfig.RunConfig run = image == null ? null : image.config().config();
                MountResolver.Resolved resolved = mountResolver.resolve(config.mounts(),
                        run == null ? java.util.Set.of() : run.volumes(),
                        image == null ? List.of(rootfs) : MergedView.layers(mounts));
                madeVolumes = resolved.newVolumes();
                SpecBuilder.Built built = SpecBuilder.build(id, settled, run, rootfs, dir,
                        HostFacts.cgroupV1Controllers(), image == null ? n -> keel.kernel.spec.UserResolver.readEtc(root, n)
                                : n -> MergedView.etc(layers, n), resolved.mounts());
                ContainerFiles.write(dir, built.spec().hostname(), network);
                keel.api.runtime.RuntimeSpec spec = sharedWith == null ? built.spec()
                        : SharedNetns.withFilesOf(built.spec(), store.dir(sharedWith.id()));
                ContainerRecord record = new ContainerRecord(id, name, Instant.now(), settled, built.command(),
                        spec, rootfs.toString(), stateDir, dir.resolve(id + "-json.log").toString(),
                        new ContainerState(ContainerStatus.CREATED, 0, 0, false, null, null, "", 0), null, null,
                        madeBy(DriverKind.STORAGE, storage), image == null ? null : image.id().toString(), snapshot,
                        mounts, null, List.of(), resolved.mounts(), false);
                store.put(record);
                CrashPoints.reach("create.record-written");
                publish(record, "create", Map.of());
                return record.info();
            }
        } catch (RuntimeException e) {
            for (String v : madeVolumes) {
                try {
                    volumeStore.remove(v);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (snapshot != null) {
                try {
                    storage.remove(snapshot);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    private static boolean isBridged(String network) {
        return ContainerNetworks.isBridged(network);
    }

    private String uniqueGeneratedName() {
        String name = Names.generated();
        while (store.nameTaken(name)) {
            name = Names.generated();
        }
        return name;
    }

    private static ContainerConfig withNameAndNetwork(ContainerConfig c, String name, String network,
            List<keel.api.network.PortMapping> ports) {
        return new ContainerConfig(name, c.image(), c.rootfs(), c.entrypoint(), c.cmd(), c.env(), c.workingDir(),
                c.user(), c.hostname(), c.tty(), c.openStdin(), c.init(), c.autoRemove(), c.restart(), c.resources(),
                network, c.security(), c.ulimits(), c.stopSignal(), c.labels(), ports, c.networkAliases(),
                c.publishAll(), c.mounts(), c.readOnlyRootfs());
    }

    /** The id of the driver of {@code kind} that made a part of {@code r}, or null (then: the bound one). */
    static String madeBy(ContainerRecord r, DriverKind kind) {
        return r.drivers().get(kind.label());
    }

    /** What a record names for a part made by {@code driver}: its kind's label and the driver's id. */
    private Map<String, String> madeBy(DriverKind kind, Object driver) {
        return driver == null ? Map.of()
                : drivers.idOf(kind, driver).map(id -> Map.of(kind.label(), id)).orElse(Map.of());
    }

    // --- start ---

    @Override
    public ContainerInfo start(String container, Attach attach) {
        String id = store.find(container).id();
        stoppedByUser.remove(id);
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord r = store.get(id);
            if (r.state().status() == ContainerStatus.RUNNING) {
                return r.info();
            }
            r.state().status().checkMove(r.name(), ContainerStatus.RUNNING);
            Path stateDir = Path.of(r.stateDir());
            ContainerStore.deleteTree(stateDir);
            long t0 = System.nanoTime();
            if (r.cgroup() != null) { // left by an exit while its driver was being updated
                drivers.cgroup(madeBy(r, DriverKind.CGROUP)).destroy(r.cgroup());
            }
            CgroupDriver cgroups = drivers.cgroup();
            anticipateJoin(cgroups); // again: a start of a container created long ago
            // the cgroup is made while the isolation driver sets the process up (its mkdirs and
            // limit writes are ~2 ms here); the process joins it once both are done
            java.util.concurrent.CompletableFuture<ContainerRecord> made =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> withNewCgroup(r, cgroups), cgroupMaker);
            long t1 = System.nanoTime();
            IsolationDriver isolation = drivers.isolation();
            ProcessRecord process;
            ContainerRecord[] attached = new ContainerRecord[1];
            ContainerRecord[] recorded = new ContainerRecord[1]; // the RUNNING record, once written
            try {
                Files.createDirectories(stateDir);
                ContainerFiles.restoreIfLost(store.dir(id), r.spec().hostname(), r.config().network());
                if (r.snapshot() != null) {
                    Files.createDirectories(Path.of(r.rootfs()));
                }
                Stdio stdio = new Stdio(r.config().tty(), r.config().openStdin(), r.logPath(),
                        stateDir.resolve("attach.sock").toString());
                keel.api.runtime.RuntimeSpec spec = r.config().network().startsWith("container:")
                        ? SharedNetns.withNetnsOf(r.spec(), sharedNetns(r)) : r.spec();
                process = isolation.start(new LaunchRequest(id, spec, r.rootfsMounts(), r.stateDir(), stdio),
                        new LaunchHooks() {
                            @Override
                            public void created(int pid) {
                                attach(attach, stateDir); // first: while the cgroup may still be in the making
                                ContainerRecord starting = awaitCgroup(made);
                                cgroups.join(starting.cgroup(), pid);
                                CrashPoints.reach("start.process-created");
                                attached[0] = containerNetworks.attachAll(starting, pid);
                            }

                            @Override
                            public void released(ProcessRecord running) {
                                // recorded while the process makes its last steps, not after them
                                recorded[0] = recordRunning(r, attached[0], running, isolation, cgroups);
                            }
                        });
                CrashPoints.reach("start.process-running");
            } catch (Exception e) {
                stopWatching(id);
                ContainerRecord withCgroup = made.handle((m, failed) -> m).join();
                if (withCgroup != null) {
                    cgroups.destroy(withCgroup.cgroup());
                }
                if (attached[0] != null) { // and out of its peers' /etc/hosts again
                    containerNetworks.refreshHosts(containerNetworks.detachAll(attached[0]), attached[0]);
                }
                KeelException failure = e instanceof KeelException k ? k
                        : KeelException.internal("cannot start " + r.name() + ": " + e.getMessage(), e);
                ContainerState failed = new ContainerState(r.state().status(), 0, failure.kind().exitCode(), false,
                        r.state().startedAt(), r.state().finishedAt(), failure.getMessage(), r.state().restartCount());
                store.put(r.with(failed));
                publish(r, "die", Map.of("exitCode", Integer.toString(failure.kind().exitCode()), "error",
                        failure.getMessage()));
                throw failure;
            }
            LOG.debug("start {}: {} ms before the launch, launch {} ms (the cgroup made meanwhile)", r.name(),
                    (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
            // a driver that does not tell when it released the process: recorded now
            ContainerRecord running = recorded[0] != null && recorded[0].process().equals(process) ? recorded[0]
                    : recordRunning(r, attached[0], process, isolation, cgroups);
            containerNetworks.refreshHosts(running, running); // a peer's rewrite meanwhile may not have seen it
            publish(running, "start", Map.of());
            ExitWatch watch = exitWatches.get(id);
            if (watch != null && watch.ended().get()) {
                reconcile(id); // it ended while it started: its end is handled now, not after a hand-over
            }
            return running.info();
        }
    }

    /**
     * Writes the record of a started container (its process, cgroup and the drivers that made them)
     * and watches for its end.
     */
    private ContainerRecord recordRunning(ContainerRecord r, ContainerRecord attached, ProcessRecord process,
            IsolationDriver isolation, CgroupDriver cgroups) {
        Map<String, String> used = new HashMap<>(r.drivers());
        used.putAll(madeBy(DriverKind.ISOLATION, isolation));
        used.putAll(madeBy(DriverKind.CGROUP, cgroups));
        used.remove(DriverKind.NETWORK.label());
        drivers.boundId(DriverKind.NETWORK).filter(d -> attached.network() != null)
                .ifPresent(d -> used.put(DriverKind.NETWORK.label(), d));
        ContainerRecord running = attached.with(new ContainerState(ContainerStatus.RUNNING, process.pid(), 0,
                false, Instant.now(), null, "", r.state().restartCount()), process, attached.cgroup(), used);
        store.putForThisBoot(running);
        CrashPoints.reach("start.record-running");
        watchExit(running);
        return running;
    }

    /**
     * Makes the container's cgroup; returns the record that names it. A cgroup of this container that
     * a killed daemon made and never recorded is destroyed first, with whatever runs in it: where the
     * driver names a container's cgroup by its id ({@link CgroupPlanner}, both drivers in the tree),
     * that one, which costs a few stat calls and no write. With a driver that cannot, the new cgroup is
     * recorded before anything joins it (one more write), so that start-up recovery finds it.
     */
    private ContainerRecord withNewCgroup(ContainerRecord r, CgroupDriver cgroups) {
        Map<String, String> withCgroup = new HashMap<>(r.drivers());
        withCgroup.putAll(madeBy(DriverKind.CGROUP, cgroups));
        if (cgroups instanceof CgroupPlanner planner) {
            cgroups.destroy(planner.plan(r.id()));
        }
        CgroupRecord cgroup = cgroups.create(r.id(), r.spec().linux().resources());
        ContainerRecord starting = r.with(r.state(), r.process(), cgroup, withCgroup);
        if (!(cgroups instanceof CgroupPlanner)) {
            store.putForThisBoot(starting);
        }
        CrashPoints.reach("start.cgroup-created");
        return starting;
    }

    /** Tells a driver with a lead time before joins ({@link JoinAnticipation}) that one is coming. */
    private static void anticipateJoin(CgroupDriver cgroups) {
        if (cgroups instanceof JoinAnticipation anticipation) {
            anticipation.anticipateJoin();
        }
    }

    /** The starting record with its cgroup, once made; the cgroup driver's own error if it could not be. */
    private static ContainerRecord awaitCgroup(java.util.concurrent.CompletableFuture<ContainerRecord> made) {
        try {
            return made.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** The network namespace of the running container whose network {@code r} shares ({@code container:ID}). */
    private String sharedNetns(ContainerRecord r) {
        ContainerRecord target = store.find(r.config().network().substring("container:".length()));
        if (!target.isLive() || target.process() == null) {
            throw KeelException.conflict("container %s shares the network of %s, which is not running: start it first",
                    r.name(), target.name());
        }
        return "/proc/" + target.process().pid() + "/ns/net";
    }

    private static void attach(Attach attach, Path stateDir) {
        if (attach == null) {
            return;
        }
        try {
            attach.attach(stateDir.resolve("attach.sock"));
        } catch (KeelException e) {
            throw e;
        } catch (Exception e) {
            throw KeelException.internal("cannot attach to the container: " + e.getMessage(), e);
        }
    }

    // --- the end of a container ---

    /** Checks every running container once; runs on the sweeper. */
    private void sweep() {
        try {
            for (ContainerRecord r : List.copyOf(store.all())) {
                if (r.isLive()) {
                    reconcile(r.id(), false); // a busy one is looked at next time
                    ContainerRecord now = storeFind(r.id());
                    if (now != null) {
                        watchExit(now);
                    }
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // a LinkageError: a driver bundle went while it was called (its classes are discarded);
            // either way the sweep must run again, and a scheduled task that throws never does
            LOG.warn("container sweep: {}", e.getMessage(), e);
        }
    }

    /**
     * Asks the isolation driver that started the container, if it can, to say when the container
     * ends (again when that driver changed: a daemon restart, an update), and reconciles then, on
     * the sweeper.
     */
    private void watchExit(ContainerRecord r) {
        Optional<IsolationDriver> bound = drivers.registeredIsolation(madeBy(r, DriverKind.ISOLATION));
        if (bound.isEmpty() || !(bound.get() instanceof ExitNotifier notifier) || !r.isLive() || r.process() == null) {
            return;
        }
        ExitWatch current = exitWatches.get(r.id());
        if (current != null && current.notifier() == notifier) {
            return;
        }
        String id = r.id();
        AtomicBoolean ended = new AtomicBoolean();
        AutoCloseable handle = notifier.onExit(r.process(), () -> {
            ended.set(true);
            if (!sweeper.isShutdown()) {
                sweeper.execute(() -> reconcile(id));
            }
        });
        ExitWatch replaced = exitWatches.put(id, new ExitWatch(notifier, handle, ended));
        if (replaced != null) {
            close(replaced);
        }
    }

    private void stopWatching(String id) {
        ExitWatch watch = exitWatches.remove(id);
        if (watch != null) {
            close(watch);
        }
    }

    private static void close(ExitWatch watch) {
        try {
            watch.handle().close();
        } catch (Exception | LinkageError e) { // the watch of a driver bundle that is gone
            LOG.debug("closing an exit watch: {}", e.getMessage());
        }
    }


    /** If the container's process has ended, records it and cleans up. Never waits for a driver. */
    private void reconcile(String id) {
        reconcile(id, true);
    }

    /**
     * As {@link #reconcile(String)}; with {@code wait} false (ps, inspect, the sweep), a container
     * that another operation holds (a pause whose freeze does not complete, say) is waited for only
     * if its process has ended: a live one stays as recorded, and the caller goes on.
     */
    private void reconcile(String id, boolean wait) {
        Optional<ContainerLocks.Held> free = locks.holdIfFree(id);
        if (free.isEmpty() && !wait && !hasEnded(id)) {
            return;
        }
        try (ContainerLocks.Held held = free.orElseGet(() -> locks.hold(id))) {
            ContainerRecord r;
            try {
                r = store.get(id);
            } catch (KeelException gone) {
                return;
            }
            if (!r.isLive() || r.process() == null) {
                return;
            }
            Optional<IsolationDriver> isolation = drivers.registeredIsolation(madeBy(r, DriverKind.ISOLATION));
            if (isolation.isEmpty()) {
                return; // being replaced: the next sweep looks again
            }
            Optional<ExitStatus> exit = isolation.get().exitStatus(r.process());
            if (exit.isPresent()) {
                finish(r, exit.get());
            }
        }
    }

    /** Whether a live container's process has ended, asked without its lock (the driver's answer has no effects). */
    private boolean hasEnded(String id) {
        ContainerRecord r = storeFind(id);
        if (r == null) {
            return false;
        }
        Optional<IsolationDriver> isolation = drivers.registeredIsolation(madeBy(r, DriverKind.ISOLATION));
        return r.isLive() && r.process() != null && isolation.isPresent()
                && isolation.get().exitStatus(r.process()).isPresent();
    }

    private void finish(ContainerRecord r, ExitStatus exit) {
        stopWatching(r.id());
        boolean oomKilled = false;
        Optional<CgroupDriver> cgroups = drivers.registeredCgroup(madeBy(r, DriverKind.CGROUP));
        // a cgroup not destroyed now (its driver is being updated) stays in the record: rm or the
        // next start destroys it
        CgroupRecord leftCgroup = r.cgroup();
        // a cgroup the driver finds by the container's id alone goes after the die event (as
        // containerd reports an exit before it deletes the task); if that fails, the next start and
        // start-up recovery destroy it by its plan
        boolean afterDie = false;
        if (r.cgroup() != null && cgroups.isPresent()) {
            try {
                oomKilled = cgroups.get().oomKills(r.cgroup()) > 0;
                afterDie = cgroups.get() instanceof CgroupPlanner;
                if (!afterDie) {
                    cgroups.get().destroy(r.cgroup());
                }
                leftCgroup = null;
            } catch (RuntimeException e) {
                LOG.warn("container {}: cgroup cleanup failed: {}", r.name(), e.getMessage());
            }
        }
        ContainerRecord stopped = containerNetworks.detachAll(r).with(new ContainerState(ContainerStatus.STOPPED, 0,
                exit.code(), oomKilled, r.state().startedAt(), exit.finishedAt(), "", r.state().restartCount()),
                r.process(), leftCgroup, r.drivers());
        if (!r.config().autoRemove()) {
            store.put(stopped);
        }
        containerNetworks.refreshHosts(stopped, r);
        publish(stopped, "die", Map.of("exitCode", Integer.toString(exit.code())));
        if (afterDie) {
            try {
                cgroups.get().destroy(r.cgroup());
            } catch (RuntimeException e) {
                LOG.warn("container {}: cgroup cleanup failed (left for the next start or start-up): {}", r.name(),
                        e.getMessage());
            }
        }
        if (oomKilled) {
            publish(stopped, "oom", Map.of());
        }
        if (r.config().autoRemove()) {
            // --rm: the record is removed, not written STOPPED first (an fsync less). A crash in
            // between leaves it RUNNING on disk, which the next start-up ends and removes alike.
            try {
                removeNow(stopped, true);
            } catch (RuntimeException e) {
                store.put(stopped);
                throw e;
            }
        } else if (shouldRestart(stopped)) {
            int count = stopped.state().restartCount();
            long delay = Math.min(60_000, 100L << Math.min(count, 10));
            sweeper.schedule(() -> restart(stopped.id()), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** docker's restart policies; a container stopped by the operator stays stopped. */
    private boolean shouldRestart(ContainerRecord r) {
        if (stoppedByUser.contains(r.id())) {
            return false;
        }
        return switch (r.config().restart().name()) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> r.state().exitCode() != 0 && (r.config().restart().maxRetries() == 0
                    || r.state().restartCount() < r.config().restart().maxRetries());
            default -> false;
        };
    }

    private void restart(String id) {
        ContainerRecord r = storeFind(id);
        if (r == null || r.state().status() != ContainerStatus.STOPPED || stoppedByUser.contains(id)) {
            return;
        }
        try (ContainerLocks.Held held = locks.hold(id)) {
            store.put(r.with(new ContainerState(r.state().status(), 0, r.state().exitCode(), r.state().oomKilled(),
                    r.state().startedAt(), r.state().finishedAt(), "", r.state().restartCount() + 1)));
        }
        try {
            start(id, null);
            publish(store.get(id), "restart", Map.of());
        } catch (KeelException e) {
            LOG.warn("container {}: restart failed: {}", r.name(), e.getMessage());
        }
    }

    // --- stop, kill, wait ---

    @Override
    public ContainerInfo stop(String container, Duration timeout) {
        ContainerRecord r = store.find(container);
        stoppedByUser.add(r.id());
        if (!r.isLive()) {
            return r.info();
        }
        IsolationDriver isolation = drivers.isolation(madeBy(r, DriverKind.ISOLATION));
        int signal = Signals.number(r.config().stopSignal() == null ? "SIGTERM" : r.config().stopSignal());
        isolation.signal(r.process(), signal);
        publish(r, "kill", Map.of("signal", Integer.toString(signal)));
        if (!awaitEnd(r.id(), timeout)) {
            killEverything(r);
            if (!awaitEnd(r.id(), Duration.ofSeconds(10))) {
                throw KeelException.internal("container " + r.name() + " did not stop after SIGKILL", null);
            }
        }
        ContainerRecord now = storeFind(r.id());
        if (now != null) {
            publish(now, "stop", Map.of());
            return now.info();
        }
        return r.info();
    }

    /** SIGKILL to every process of the container: the cgroup's, so nothing escapes by forking. */
    private void killEverything(ContainerRecord r) {
        ContainerRecord current = storeFind(r.id());
        if (current == null || !current.isLive()) {
            return;
        }
        if (current.cgroup() != null) {
            drivers.cgroup(madeBy(current, DriverKind.CGROUP)).killAll(current.cgroup(), SIGKILL);
        }
        drivers.isolation(madeBy(current, DriverKind.ISOLATION)).signal(current.process(), SIGKILL);
        publish(current, "kill", Map.of("signal", Integer.toString(SIGKILL)));
    }

    @Override
    public void kill(String container, String signalName) {
        int signal = Signals.number(signalName);
        ContainerRecord r = store.find(container);
        if (!r.isLive()) {
            throw KeelException.conflict("container %s is not running", r.name());
        }
        drivers.isolation(madeBy(r, DriverKind.ISOLATION)).signal(r.process(), signal);
        publish(r, "kill", Map.of("signal", Integer.toString(signal)));
    }

    @Override
    public ExitStatus await(String container, Duration timeout) {
        ContainerRecord r = store.find(container);
        awaitEnd(r.id(), timeout);
        ContainerRecord now = storeFind(r.id());
        ContainerRecord last = now != null ? now : r;
        if (now != null && now.isLive()) {
            throw KeelException.unavailable("container %s still runs after %d ms", r.name(), timeout.toMillis());
        }
        return new ExitStatus(last.state().exitCode(), 0, last.state().finishedAt());
    }

    /** Polls the container's end every 10 ms; true once it is not running (or gone). */
    private boolean awaitEnd(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            reconcile(id);
            ContainerRecord r = storeFind(id);
            if (r == null || !r.isLive()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private ContainerRecord storeFind(String id) {
        try {
            return store.get(id);
        } catch (KeelException gone) {
            return null;
        }
    }

    // --- remove ---

    @Override
    public void remove(String container, boolean force) {
        remove(container, force, false);
    }

    @Override
    public void remove(String container, boolean force, boolean removeVolumes) {
        ContainerRecord r = store.find(container);
        stoppedByUser.add(r.id());
        if (r.isLive()) {
            if (!force) {
                r.state().status().checkMove(r.name(), ContainerStatus.REMOVED);
            }
            killEverything(r);
            if (!awaitEnd(r.id(), Duration.ofSeconds(10))) {
                throw KeelException.internal("container " + r.name() + " did not die after SIGKILL", null);
            }
            CrashPoints.reach("rm.process-stopped");
        }
        ContainerRecord now = storeFind(r.id());
        if (now != null) {
            try (ContainerLocks.Held held = locks.hold(now.id())) {
                removeNow(store.get(now.id()), removeVolumes);
            }
        }
    }

    /** Removes the container; with {@code anonymousVolumes} also its anonymous volumes no other container uses. */
    private void removeNow(ContainerRecord r, boolean anonymousVolumes) {
        r.state().status().checkMove(r.name(), ContainerStatus.REMOVED);
        if (r.cgroup() != null) {
            drivers.cgroup(madeBy(r, DriverKind.CGROUP)).destroy(r.cgroup());
        } else { // one a killed daemon made and never recorded: nothing, mostly (a few stat calls)
            drivers.registeredCgroup(madeBy(r, DriverKind.CGROUP)).filter(CgroupPlanner.class::isInstance)
                    .ifPresent(d -> d.destroy(((CgroupPlanner) d).plan(r.id())));
        }
        containerNetworks.detachAll(r);
        CrashPoints.reach("rm.detached");
        if (r.snapshot() != null) {
            try {
                drivers.storage(madeBy(r, DriverKind.STORAGE)).remove(r.snapshot());
            } catch (KeelException e) {
                if (e.kind() != ErrorKind.NOT_FOUND) {
                    throw e;
                }
                LOG.warn("container {}: its snapshot was already gone: {}", r.name(), e.getMessage());
            }
            CrashPoints.reach("rm.snapshot-removed");
        }
        ContainerStore.deleteTree(Path.of(r.stateDir()));
        CrashPoints.reach("rm.state-removed");
        synchronized (store) {
            store.remove(r.id());
            if (anonymousVolumes) {
                for (keel.api.container.MountPoint m : r.mounts()) {
                    if (m.name() != null && volumeStore.find(m.name()).map(VolumeInfo::anonymous).orElse(false)
                            && volumeUsers(m.name()).isEmpty()) {
                        volumeStore.remove(m.name());
                    }
                }
            }
        }
        stoppedByUser.remove(r.id());
        stopWatching(r.id());
        publish(r, "destroy", Map.of());
    }

    // --- pause, update, stats ---

    @Override
    public ContainerInfo pause(String container) {
        String id = store.find(container).id();
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord r = store.get(id);
            r.state().status().checkMove(r.name(), ContainerStatus.PAUSED);
            drivers.cgroup(madeBy(r, DriverKind.CGROUP)).freeze(r.cgroup());
            ContainerRecord paused = r.with(withStatus(r.state(), ContainerStatus.PAUSED));
            store.put(paused);
            publish(paused, "pause", Map.of());
            return paused.info();
        }
    }

    @Override
    public ContainerInfo unpause(String container) {
        String id = store.find(container).id();
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord r = store.get(id);
            if (r.state().status() != ContainerStatus.PAUSED) {
                throw KeelException.conflict("container %s is not paused", r.name());
            }
            drivers.cgroup(madeBy(r, DriverKind.CGROUP)).thaw(r.cgroup());
            ContainerRecord running = r.with(withStatus(r.state(), ContainerStatus.RUNNING));
            store.put(running);
            publish(running, "unpause", Map.of());
            return running.info();
        }
    }

    private static ContainerState withStatus(ContainerState s, ContainerStatus status) {
        return new ContainerState(status, s.pid(), s.exitCode(), s.oomKilled(), s.startedAt(), s.finishedAt(),
                s.error(), s.restartCount());
    }

    @Override
    public ContainerInfo update(String container, keel.api.runtime.Resources resources) {
        String id = store.find(container).id();
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord r = store.get(id);
            keel.api.runtime.Resources merged = ResourceUpdates.merge(r.spec().linux().resources(), resources);
            if (r.isLive() && r.cgroup() != null) {
                drivers.cgroup(madeBy(r, DriverKind.CGROUP)).update(r.cgroup(), merged);
            }
            ContainerRecord updated = new ContainerRecord(r.id(), r.name(), r.created(),
                    withResources(r.config(), merged), r.command(), ResourceUpdates.withSpec(r.spec(), merged), r.rootfs(),
                    r.stateDir(), r.logPath(), r.state(), r.process(), r.cgroup(), r.drivers(), r.image(),
                    r.snapshot(), r.rootfsMounts(), r.network(), r.connections(), r.mounts(),
                    r.leftCreationNetwork());
            store.put(updated);
            publish(updated, "update", Map.of());
            return updated.info();
        }
    }

    private static ContainerConfig withResources(ContainerConfig c, keel.api.runtime.Resources resources) {
        return new ContainerConfig(c.name(), c.image(), c.rootfs(), c.entrypoint(), c.cmd(), c.env(), c.workingDir(),
                c.user(), c.hostname(), c.tty(), c.openStdin(), c.init(), c.autoRemove(), c.restart(), resources,
                c.network(), c.security(), c.ulimits(), c.stopSignal(), c.labels(), c.ports(), c.networkAliases(),
                c.publishAll(), c.mounts(),
                c.readOnlyRootfs());
    }

    @Override
    public keel.api.cgroup.CgroupStats stats(String container) {
        ContainerRecord r = store.find(container);
        if (!r.isLive() || r.cgroup() == null) {
            return new keel.api.cgroup.CgroupStats(0, 0, 0, 0, 0, 0, 0, 0);
        }
        return drivers.cgroup(madeBy(r, DriverKind.CGROUP)).stats(r.cgroup());
    }

    // --- queries ---

    @Override
    public List<ContainerInfo> list(boolean all) {
        // never show a ghost: a container that ended (also while no daemon ran) is seen as ended
        store.all().stream().filter(ContainerRecord::isLive).map(ContainerRecord::id).toList()
                .forEach(id -> reconcile(id, false));
        return store.all().stream().filter(r -> all || r.isLive())
                .sorted(Comparator.comparing(ContainerRecord::created).reversed()).map(ContainerRecord::info).toList();
    }

    @Override
    public ContainerInfo inspect(String container) {
        String id = store.find(container).id();
        reconcile(id, false);
        return store.find(id).info();
    }

    // --- exec ---

    @Override
    public ExitStatus exec(String container, ExecConfig config, Attach attach) {
        ContainerRecord r = store.find(container);
        if (r.state().status() != ContainerStatus.RUNNING) {
            throw KeelException.conflict("container %s is %s: exec needs a running container", r.name(),
                    r.state().status().label());
        }
        ProcessSpec base = r.spec().process();
        UserResolver.Resolved user = config.user() == null ? null : UserResolver.resolve(config.user(),
                Path.of(r.rootfs()));
        List<String> env = new java.util.ArrayList<>(base.env());
        env.addAll(config.env());
        ProcessSpec process = new ProcessSpec(config.tty(), user == null ? base.user() : user.user(), config.cmd(),
                env, config.workingDir() == null ? base.cwd() : config.workingDir(), base.capabilities(),
                base.rlimits(), base.noNewPrivileges());
        // unix socket paths are short (108 bytes): the supervisor's directory is <run>/x/<12 hex>
        String execId = Names.newId().substring(0, 12);
        Path stateDir = settings.run().resolve("x").resolve(execId);
        IsolationDriver isolation = drivers.isolation(madeBy(r, DriverKind.ISOLATION));
        CgroupDriver cgroups = drivers.cgroup(madeBy(r, DriverKind.CGROUP));
        try {
            Files.createDirectories(stateDir);
            Stdio stdio = new Stdio(config.tty(), config.openStdin(), null, stateDir.resolve("attach.sock").toString());
            ProcessRecord exec = isolation.exec(new ExecRequest(r.id(), r.process(), r.spec(), process,
                    stateDir.toString(), stdio), pid -> {
                        if (r.cgroup() != null) {
                            cgroups.join(r.cgroup(), pid);
                        }
                        attach(attach, stateDir);
                    });
            publish(r, "exec_start", Map.of("execID", execId));
            while (true) {
                Optional<ExitStatus> exit = drivers.isolation(madeBy(r, DriverKind.ISOLATION)).exitStatus(exec);
                if (exit.isPresent()) {
                    publish(r, "exec_die", Map.of("execID", execId, "exitCode", Integer.toString(exit.get().code())));
                    return exit.get();
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while exec ran in %s", r.name());
        } catch (java.io.IOException e) {
            throw KeelException.internal("cannot prepare exec in " + r.name() + ": " + e.getMessage(), e);
        } finally {
            ContainerStore.deleteTree(stateDir);
        }
    }

    // --- logs ---

    @Override
    public void logs(String container, int tail, boolean follow, BooleanSupplier stillWanted,
            Consumer<LogEntry> sink) {
        ContainerRecord r = store.find(container);
        LogReader.read(Path.of(r.logPath()), tail, follow, stillWanted, () -> {
            ContainerRecord now = storeFind(r.id());
            return now != null && now.isLive();
        }, sink);
    }

    // --- files: diff, commit, export, cp ---

    @Override
    public List<keel.api.layer.Change> diff(String container) {
        return archives.diff(store.find(container));
    }

    @Override
    public keel.api.image.ImageInfo commit(String container, keel.api.container.CommitRequest request) {
        if (request.reference() == null || request.reference().isBlank()) {
            throw KeelException.invalid("give the new image's name: keel commit CONTAINER NAME[:TAG]");
        }
        keel.api.image.ImageReference.parse(request.reference());
        ContainerRecord r = store.find(container);
        if (r.snapshot() == null || r.image() == null) {
            throw KeelException.invalid("container %s runs on --rootfs %s: it has no image and layer to commit",
                    r.name(), r.config().rootfs());
        }
        keel.api.image.ImageInfo parent = images.resolve(r.image());
        keel.api.image.ImageConfig.RunConfig run = keel.kernel.images.CommitConfig.apply(
                keel.kernel.images.CommitConfig.of(r.config(), parent.config().config()), request.changes());
        // the layer's blob belongs to no image until the image is recorded: a collection waits
        try (keel.kernel.images.ContentLock.Lease lease = images.contentLock().shared()) {
            return commitLeased(r, run, request);
        }
    }

    private keel.api.image.ImageInfo commitLeased(ContainerRecord r, keel.api.image.ImageConfig.RunConfig run,
            keel.api.container.CommitRequest request) {
        boolean paused = false;
        if (request.pause() && r.state().status() == ContainerStatus.RUNNING) {
            store.pausedForCommit(r.id(), true);
            try {
                pause(r.id());
            } catch (RuntimeException e) {
                store.pausedForCommit(r.id(), false);
                throw e;
            }
            paused = true;
            CrashPoints.reach("commit.paused");
        }
        ContainerArchives.Layer layer;
        try {
            layer = withFiles(r.id(), (now, live) -> archives.layer(now, live, images.blobs()));
            CrashPoints.reach("commit.layer-stored");
        } finally {
            if (paused) {
                try {
                    unpause(r.id());
                    store.pausedForCommit(r.id(), false);
                } catch (KeelException e) {
                    LOG.warn("container {}: cannot unpause after commit: {}", r.name(), e.getMessage());
                }
            }
        }
        return images.commit(r.image(), layer.descriptor(), layer.diffId(), run, request.reference(),
                request.author(), request.message(), String.join(" ", r.command()));
    }

    @Override
    public void export(String container, java.io.OutputStream tar) {
        withFiles(container, (r, live) -> {
            archives.archive(r, live, "/", "", tar);
            return null;
        });
    }

    @Override
    public void copyOut(String container, String path, java.io.OutputStream tar) {
        withFiles(container, (r, live) -> {
            archives.archive(r, live, path, ContainerArchives.baseName(path), tar);
            return null;
        });
    }

    @Override
    public void copyOut(String container, String path, Path destination) {
        withFiles(container, (r, live) -> {
            archives.copyOut(r, live, path, destination);
            return null;
        });
    }

    @Override
    public void copyIn(java.io.InputStream tar, String container, String path) {
        withFiles(container, (r, live) -> {
            archives.extract(r, live, path, tar);
            return null;
        });
    }

    @Override
    public void copyIn(Path source, String container, String path) {
        withFiles(container, (r, live) -> {
            archives.copyIn(source, r, live, path);
            return null;
        });
    }

    /**
     * Runs {@code work} on the container's files: a running one's as its process sees them; a
     * stopped one's under its lock, so that it does not start (and mount its root) meanwhile.
     */
    private <T> T withFiles(String container, java.util.function.BiFunction<ContainerRecord, Boolean, T> work) {
        String id = store.find(container).id();
        reconcile(id);
        ContainerRecord r = store.get(id);
        if (r.isLive() && r.state().pid() > 0) {
            return work.apply(r, true);
        }
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord now = store.get(id);
            return work.apply(now, now.isLive() && now.state().pid() > 0);
        }
    }

    // --- networks ---

    @Override
    public List<keel.api.network.NetworkRecord> networks() {
        return networks.list();
    }

    @Override
    public keel.api.network.NetworkRecord network(String network) {
        return networks.list().stream().filter(n -> n.name().equals(network) || n.id().startsWith(network))
                .findFirst().orElseThrow(() -> KeelException.notFound("no such network: %s", network));
    }

    @Override
    public keel.api.network.NetworkRecord createNetwork(keel.api.network.NetworkConfig config) {
        Names.check(config.name());
        if (List.of("none", "host").contains(config.name())) {
            throw KeelException.invalid("%s is a network mode, not a name a network can have", config.name());
        }
        return networks.create(config, drivers.network());
    }

    @Override
    public void removeNetwork(String network) {
        keel.api.network.NetworkRecord record = network(network);
        List<String> users = endpoints(record).stream().map(keel.api.network.NetworkEndpoint::containerName).toList();
        if (!users.isEmpty()) {
            throw KeelException.conflict("network %s is in use by %s: disconnect or remove them first", record.name(),
                    String.join(", ", users));
        }
        networks.remove(record, drivers.network());
    }

    @Override
    public List<keel.api.network.NetworkEndpoint> endpoints(String network) {
        return endpoints(network(network));
    }

    private List<keel.api.network.NetworkEndpoint> endpoints(keel.api.network.NetworkRecord network) {
        return store.all().stream().map(r -> ContainerNetworks.endpoint(r, network)).flatMap(java.util.Optional::stream)
                .sorted(java.util.Comparator.comparing(keel.api.network.NetworkEndpoint::containerName)).toList();
    }

    @Override
    public void connect(String network, String container, List<String> aliases) {
        keel.api.network.NetworkRecord record = network(network);
        String id = store.find(container).id();
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord before = store.get(id);
            ContainerRecord connected = containerNetworks.connect(before, record, aliases);
            store.put(connected);
            containerNetworks.refreshHosts(connected, before);
            events.publish(new Event(Instant.now(), "network", "connect", record.id(),
                    Map.of("name", record.name(), "container", id)));
        }
    }

    @Override
    public void disconnect(String network, String container) {
        keel.api.network.NetworkRecord record = network(network);
        String id = store.find(container).id();
        try (ContainerLocks.Held held = locks.hold(id)) {
            ContainerRecord before = store.get(id);
            ContainerRecord disconnected = containerNetworks.disconnect(before, record);
            store.put(disconnected);
            containerNetworks.refreshHosts(disconnected, before);
            events.publish(new Event(Instant.now(), "network", "disconnect", record.id(),
                    Map.of("name", record.name(), "container", id)));
        }
    }

    @Override
    public List<keel.api.network.PortMapping> ports(String container) {
        String id = store.find(container).id();
        reconcile(id);
        return ContainerNetworks.ports(store.get(id));
    }

    // --- volumes (container creation and these are serialised on the store, so a volume checked unused stays so) ---

    /** The names of the containers, running or not, that mount volume {@code name}. */
    private List<String> volumeUsers(String name) {
        return store.all().stream().filter(r -> r.mounts().stream().anyMatch(m -> name.equals(m.name())))
                .map(ContainerRecord::name).sorted().toList();
    }

    @Override
    public VolumeInfo createVolume(String name, Map<String, String> labels) {
        synchronized (store) {
            return volumes.createVolume(name, labels);
        }
    }

    @Override
    public List<VolumeInfo> volumes() {
        return volumes.volumes();
    }

    @Override
    public VolumeInfo volume(String name) {
        return volumes.volume(name);
    }

    @Override
    public void removeVolume(String name, boolean force) {
        synchronized (store) {
            volumes.removeVolume(name, force);
        }
    }

    @Override
    public List<String> pruneVolumes(boolean all) {
        synchronized (store) {
            return volumes.pruneVolumes(all);
        }
    }

    // --- helpers ---

    private void publish(ContainerRecord r, String action, Map<String, String> extra) {
        Map<String, String> attributes = new HashMap<>(extra);
        attributes.put("name", r.name());
        attributes.put("image", r.config().image() != null ? r.config().image() : "rootfs:" + r.config().rootfs());
        events.publish(new Event(Instant.now(), "container", action, r.id(), attributes));
    }
}
