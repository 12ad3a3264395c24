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
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.cgroup.CgroupRecord;
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
import keel.api.isolation.LaunchRequest;
import keel.api.isolation.ProcessRecord;
import keel.api.isolation.Stdio;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.api.runtime.ProcessSpec;
import keel.kernel.KernelSettings;
import keel.kernel.drivers.Drivers;
import keel.kernel.spec.SpecBuilder;
import keel.kernel.spec.UserResolver;
import keel.kernel.system.HostFacts;

/**
 * The container lifecycle: create, start, stop, kill, wait, remove, exec, logs. Keeps only data
 * (records) about each container; asks the bound driver of each kind per call. Operations on one
 * container are serialised by that container's lock, so one wedged container never holds up
 * another. A container's end is learnt at once from an isolation driver that is an
 * {@link ExitNotifier}; a sweep every 250 ms notices the rest (and ones whose supervisor died).
 */
@Component(service = {ContainerService.class, keel.api.network.NetworkService.class}, immediate = true,
        configurationPid = KernelSettings.PID)
public class ContainerManager implements ContainerService, keel.api.network.NetworkService {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerManager.class);
    private static final int SIGKILL = 9;
    private static final Duration POLL = Duration.ofMillis(10);

    private final Drivers drivers;
    private final EventService events;
    private final KernelSettings settings;
    private final ContainerStore store;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final String defaultNetwork;
    private final keel.kernel.images.ImageManager images;
    private final Networks networks;
    private final ImageRootfs imageRootfs = new ImageRootfs();
    private final java.util.Set<String> stoppedByUser = ConcurrentHashMap.newKeySet();
    private final Map<String, ExitWatch> exitWatches = new ConcurrentHashMap<>();

    /** A watch of a running container's end, and the driver instance that keeps it. */
    private record ExitWatch(ExitNotifier notifier, AutoCloseable handle) {
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
        String network = context.getProperty("keel.network.default");
        this.defaultNetwork = network == null || network.isBlank() ? Networks.DEFAULT : network;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-container-sweep");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 250, 250, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        sweeper.shutdownNow();
        List.copyOf(exitWatches.keySet()).forEach(this::stopWatching);
    }

    // --- create ---

    @Override
    public ContainerInfo create(ContainerConfig config) {
        if ((config.image() == null) == (config.rootfs() == null)) {
            throw KeelException.invalid("give an image or --rootfs DIR (one of them)");
        }
        Path rootfs = config.rootfs() == null ? null : Path.of(config.rootfs()).toAbsolutePath().normalize();
        if (rootfs != null && !Files.isDirectory(rootfs)) {
            throw KeelException.invalid("--rootfs %s is not a directory", rootfs);
        }
        String network = config.network() != null ? config.network() : defaultNetwork;
        if (isBridged(network)) {
            networks.get(network, drivers.network());
        }
        drivers.cgroup().validate(config.resources());
        keel.api.image.ImageInfo image = config.image() == null ? null : images.resolve(config.image());
        String id = Names.newId();
        String stateDir = settings.run().resolve("c").resolve(id.substring(0, 12)).toString();
        String snapshot = null;
        List<keel.api.runtime.Mount> mounts = List.of();
        keel.api.storage.StorageDriver storage = null;
        if (image != null) {
            storage = drivers.storage();
            String top = imageRootfs.layers(image, images.blobs(), storage, drivers.layer());
            snapshot = "container-" + id;
            mounts = storage.prepare(snapshot, top, Map.of("keel.container", id));
            rootfs = Path.of(stateDir).resolve("rootfs");
        }
        try {
            synchronized (store) {
                String name = config.name() != null ? Names.check(config.name()) : uniqueGeneratedName();
                if (store.nameTaken(name)) {
                    throw KeelException.conflict("the container name %s is already in use; remove that container or "
                            + "choose another name", name);
                }
                ContainerConfig settled = withNameAndNetwork(config, name, network);
                Path dir = store.dir(id);
                List<keel.api.runtime.Mount> layers = mounts;
                Path root = rootfs;
                SpecBuilder.Built built = SpecBuilder.build(id, settled, image == null ? null : image.config().config(),
                        rootfs, dir, HostFacts.cgroupV1Controllers(),
                        image == null ? n -> keel.kernel.spec.UserResolver.readEtc(root, n)
                                : n -> MergedView.etc(layers, n));
                ContainerFiles.write(dir, built.spec().hostname(), network);
                ContainerRecord record = new ContainerRecord(id, name, Instant.now(), settled, built.command(),
                        built.spec(), rootfs.toString(), stateDir, dir.resolve(id + "-json.log").toString(),
                        new ContainerState(ContainerStatus.CREATED, 0, 0, false, null, null, "", 0), null, null,
                        Map.of(), image == null ? null : image.id().toString(), snapshot, mounts, null);
                store.put(record);
                publish(record, "create", Map.of());
                return record.info();
            }
        } catch (RuntimeException e) {
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
        return !network.equals("none") && !network.equals("host") && !network.startsWith("container:");
    }

    private String uniqueGeneratedName() {
        String name = Names.generated();
        while (store.nameTaken(name)) {
            name = Names.generated();
        }
        return name;
    }

    private static ContainerConfig withNameAndNetwork(ContainerConfig c, String name, String network) {
        return new ContainerConfig(name, c.image(), c.rootfs(), c.entrypoint(), c.cmd(), c.env(), c.workingDir(),
                c.user(), c.hostname(), c.tty(), c.openStdin(), c.init(), c.autoRemove(), c.restart(), c.resources(),
                network, c.security(), c.ulimits(), c.stopSignal(), c.labels(), c.ports());
    }

    // --- start ---

    @Override
    public ContainerInfo start(String container, Attach attach) {
        String id = store.find(container).id();
        stoppedByUser.remove(id);
        synchronized (lock(id)) {
            ContainerRecord r = store.get(id);
            if (r.state().status() == ContainerStatus.RUNNING) {
                return r.info();
            }
            r.state().status().checkMove(r.name(), ContainerStatus.RUNNING);
            Path stateDir = Path.of(r.stateDir());
            ContainerStore.deleteTree(stateDir);
            long t0 = System.nanoTime();
            CgroupDriver cgroups = drivers.cgroup();
            CgroupRecord cgroup = cgroups.create(id, r.spec().linux().resources());
            long t1 = System.nanoTime();
            IsolationDriver isolation = drivers.isolation();
            ProcessRecord process;
            keel.api.network.Attachment[] attached = new keel.api.network.Attachment[1];
            try {
                Files.createDirectories(stateDir);
                if (r.snapshot() != null) {
                    Files.createDirectories(Path.of(r.rootfs()));
                }
                Stdio stdio = new Stdio(r.config().tty(), r.config().openStdin(), r.logPath(),
                        stateDir.resolve("attach.sock").toString());
                process = isolation.start(new LaunchRequest(id, r.spec(), r.rootfsMounts(), r.stateDir(), stdio),
                        pid -> {
                            cgroups.join(cgroup, pid);
                            attached[0] = connect(r, pid);
                            attach(attach, stateDir);
                        });
            } catch (Exception e) {
                cgroups.destroy(cgroup);
                disconnect(attached[0]);
                KeelException failure = e instanceof KeelException k ? k
                        : KeelException.internal("cannot start " + r.name() + ": " + e.getMessage(), e);
                ContainerState failed = new ContainerState(r.state().status(), 0, failure.kind().exitCode(), false,
                        r.state().startedAt(), r.state().finishedAt(), failure.getMessage(), r.state().restartCount());
                store.put(r.with(failed));
                publish(r, "die", Map.of("exitCode", Integer.toString(failure.kind().exitCode()), "error",
                        failure.getMessage()));
                throw failure;
            }
            LOG.debug("start {}: cgroup {} ms, launch {} ms", r.name(), (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000);
            Map<String, String> used = new HashMap<>();
            drivers.boundId(DriverKind.ISOLATION).ifPresent(d -> used.put("isolation", d));
            drivers.boundId(DriverKind.CGROUP).ifPresent(d -> used.put("cgroup", d));
            drivers.boundId(DriverKind.NETWORK).filter(d -> attached[0] != null).ifPresent(d -> used.put("network", d));
            ContainerRecord running = r.with(new ContainerState(ContainerStatus.RUNNING, process.pid(), 0, false,
                    Instant.now(), null, "", r.state().restartCount()), process, cgroup, used).with(attached[0]);
            store.putForThisBoot(running);
            watchExit(running);
            publish(running, "start", Map.of());
            return running.info();
        }
    }

    /** Attaches the container's network namespace to its network, and names its address in /etc/hosts. */
    private keel.api.network.Attachment connect(ContainerRecord r, int pid) {
        if (!isBridged(r.config().network())) {
            return null;
        }
        keel.api.network.NetworkRecord network = networks.get(r.config().network(), drivers.network());
        keel.api.network.Attachment a = drivers.network().attach(network, new keel.api.network.AttachRequest(r.id(),
                r.name(), "/proc/" + pid + "/ns/net", "eth0", r.config().ports(), List.of()));
        if (!a.addresses().isEmpty()) {
            String ip = a.addresses().get(0).split("/")[0];
            ContainerFiles.hosts(store.dir(r.id()), r.spec().hostname(), ip);
        }
        return a;
    }

    private void disconnect(keel.api.network.Attachment attachment) {
        if (attachment != null) {
            try {
                drivers.network().detach(attachment);
            } catch (RuntimeException e) {
                LOG.warn("cannot detach {} from its network: {}", attachment.containerId(), e.getMessage());
            }
        }
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
                if (isLive(r)) {
                    reconcile(r.id());
                    ContainerRecord now = storeFind(r.id());
                    if (now != null) {
                        watchExit(now);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("container sweep: {}", e.getMessage(), e);
        }
    }

    /**
     * Asks the bound isolation driver, if it can, to say when the container ends (again when the
     * bound driver changed: a daemon restart, a swap), and reconciles then, on the sweeper.
     */
    private void watchExit(ContainerRecord r) {
        Optional<IsolationDriver> bound = drivers.boundIsolation();
        if (bound.isEmpty() || !(bound.get() instanceof ExitNotifier notifier) || !isLive(r) || r.process() == null) {
            return;
        }
        ExitWatch current = exitWatches.get(r.id());
        if (current != null && current.notifier() == notifier) {
            return;
        }
        String id = r.id();
        AutoCloseable handle = notifier.onExit(r.process(), () -> {
            if (!sweeper.isShutdown()) {
                sweeper.execute(() -> reconcile(id));
            }
        });
        ExitWatch replaced = exitWatches.put(id, new ExitWatch(notifier, handle));
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
        } catch (Exception e) {
            LOG.debug("closing an exit watch: {}", e.getMessage());
        }
    }

    private static boolean isLive(ContainerRecord r) {
        return r.state().status() == ContainerStatus.RUNNING || r.state().status() == ContainerStatus.PAUSED;
    }

    /** If the container's process has ended, records it and cleans up. Never waits for a driver. */
    private void reconcile(String id) {
        synchronized (lock(id)) {
            ContainerRecord r;
            try {
                r = store.get(id);
            } catch (KeelException gone) {
                return;
            }
            if (!isLive(r) || r.process() == null) {
                return;
            }
            Optional<IsolationDriver> isolation = drivers.boundIsolation();
            if (isolation.isEmpty()) {
                return; // being replaced: the next sweep looks again
            }
            Optional<ExitStatus> exit = isolation.get().exitStatus(r.process());
            if (exit.isPresent()) {
                finish(r, exit.get());
            }
        }
    }

    private void finish(ContainerRecord r, ExitStatus exit) {
        stopWatching(r.id());
        boolean oomKilled = false;
        Optional<CgroupDriver> cgroups = drivers.boundCgroup();
        if (r.cgroup() != null && cgroups.isPresent()) {
            try {
                oomKilled = cgroups.get().stats(r.cgroup()).oomKills() > 0;
                cgroups.get().destroy(r.cgroup());
            } catch (RuntimeException e) {
                LOG.warn("container {}: cgroup cleanup failed: {}", r.name(), e.getMessage());
            }
        }
        disconnect(r.network());
        ContainerRecord stopped = r.with(new ContainerState(ContainerStatus.STOPPED, 0, exit.code(), oomKilled,
                r.state().startedAt(), exit.finishedAt(), "", r.state().restartCount()), r.process(), null,
                r.drivers()).with((keel.api.network.Attachment) null);
        if (!r.config().autoRemove()) {
            store.put(stopped);
        }
        publish(stopped, "die", Map.of("exitCode", Integer.toString(exit.code())));
        if (oomKilled) {
            publish(stopped, "oom", Map.of());
        }
        if (r.config().autoRemove()) {
            // --rm: the record is removed, not written STOPPED first (an fsync less). A crash in
            // between leaves it RUNNING on disk, which the next start-up ends and removes alike.
            try {
                removeNow(stopped);
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
        synchronized (lock(id)) {
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
        if (!isLive(r)) {
            return r.info();
        }
        IsolationDriver isolation = drivers.isolation();
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
        if (current == null || !isLive(current)) {
            return;
        }
        if (current.cgroup() != null) {
            drivers.cgroup().killAll(current.cgroup(), SIGKILL);
        }
        drivers.isolation().signal(current.process(), SIGKILL);
        publish(current, "kill", Map.of("signal", Integer.toString(SIGKILL)));
    }

    @Override
    public void kill(String container, String signalName) {
        int signal = Signals.number(signalName);
        ContainerRecord r = store.find(container);
        if (!isLive(r)) {
            throw KeelException.conflict("container %s is not running", r.name());
        }
        drivers.isolation().signal(r.process(), signal);
        publish(r, "kill", Map.of("signal", Integer.toString(signal)));
    }

    @Override
    public ExitStatus await(String container, Duration timeout) {
        ContainerRecord r = store.find(container);
        awaitEnd(r.id(), timeout);
        ContainerRecord now = storeFind(r.id());
        ContainerRecord last = now != null ? now : r;
        if (now != null && isLive(now)) {
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
            if (r == null || !isLive(r)) {
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
        ContainerRecord r = store.find(container);
        stoppedByUser.add(r.id());
        if (isLive(r)) {
            if (!force) {
                r.state().status().checkMove(r.name(), ContainerStatus.REMOVED);
            }
            killEverything(r);
            if (!awaitEnd(r.id(), Duration.ofSeconds(10))) {
                throw KeelException.internal("container " + r.name() + " did not die after SIGKILL", null);
            }
        }
        ContainerRecord now = storeFind(r.id());
        if (now != null) {
            synchronized (lock(now.id())) {
                removeNow(store.get(now.id()));
            }
        }
    }

    private void removeNow(ContainerRecord r) {
        r.state().status().checkMove(r.name(), ContainerStatus.REMOVED);
        if (r.cgroup() != null) {
            drivers.boundCgroup().ifPresent(c -> c.destroy(r.cgroup()));
        }
        disconnect(r.network());
        if (r.snapshot() != null) {
            drivers.storage().remove(r.snapshot());
        }
        ContainerStore.deleteTree(Path.of(r.stateDir()));
        store.remove(r.id());
        locks.remove(r.id());
        stoppedByUser.remove(r.id());
        stopWatching(r.id());
        publish(r, "destroy", Map.of());
    }

    // --- pause, update, stats ---

    @Override
    public ContainerInfo pause(String container) {
        String id = store.find(container).id();
        synchronized (lock(id)) {
            ContainerRecord r = store.get(id);
            r.state().status().checkMove(r.name(), ContainerStatus.PAUSED);
            drivers.cgroup().freeze(r.cgroup());
            ContainerRecord paused = r.with(withStatus(r.state(), ContainerStatus.PAUSED));
            store.put(paused);
            publish(paused, "pause", Map.of());
            return paused.info();
        }
    }

    @Override
    public ContainerInfo unpause(String container) {
        String id = store.find(container).id();
        synchronized (lock(id)) {
            ContainerRecord r = store.get(id);
            if (r.state().status() != ContainerStatus.PAUSED) {
                throw KeelException.conflict("container %s is not paused", r.name());
            }
            drivers.cgroup().thaw(r.cgroup());
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
        synchronized (lock(id)) {
            ContainerRecord r = store.get(id);
            keel.api.runtime.Resources merged = ResourceUpdates.merge(r.spec().linux().resources(), resources);
            if (isLive(r) && r.cgroup() != null) {
                drivers.cgroup().update(r.cgroup(), merged);
            }
            ContainerRecord updated = new ContainerRecord(r.id(), r.name(), r.created(),
                    withResources(r.config(), merged), r.command(), ResourceUpdates.withSpec(r.spec(), merged), r.rootfs(),
                    r.stateDir(), r.logPath(), r.state(), r.process(), r.cgroup(), r.drivers(), r.image(),
                    r.snapshot(), r.rootfsMounts(), r.network());
            store.put(updated);
            publish(updated, "update", Map.of());
            return updated.info();
        }
    }

    private static ContainerConfig withResources(ContainerConfig c, keel.api.runtime.Resources resources) {
        return new ContainerConfig(c.name(), c.image(), c.rootfs(), c.entrypoint(), c.cmd(), c.env(), c.workingDir(),
                c.user(), c.hostname(), c.tty(), c.openStdin(), c.init(), c.autoRemove(), c.restart(), resources,
                c.network(), c.security(), c.ulimits(), c.stopSignal(), c.labels(), c.ports());
    }

    @Override
    public keel.api.cgroup.CgroupStats stats(String container) {
        ContainerRecord r = store.find(container);
        if (!isLive(r) || r.cgroup() == null) {
            return new keel.api.cgroup.CgroupStats(0, 0, 0, 0, 0, 0, 0, 0);
        }
        return drivers.cgroup().stats(r.cgroup());
    }

    // --- queries ---

    @Override
    public List<ContainerInfo> list(boolean all) {
        // never show a ghost: a container that ended (also while no daemon ran) is seen as ended
        store.all().stream().filter(ContainerManager::isLive).map(ContainerRecord::id).toList()
                .forEach(this::reconcile);
        return store.all().stream().filter(r -> all || isLive(r))
                .sorted(Comparator.comparing(ContainerRecord::created).reversed()).map(ContainerRecord::info).toList();
    }

    @Override
    public ContainerInfo inspect(String container) {
        String id = store.find(container).id();
        reconcile(id);
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
        IsolationDriver isolation = drivers.isolation();
        CgroupDriver cgroups = drivers.cgroup();
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
                Optional<ExitStatus> exit = drivers.isolation().exitStatus(exec);
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
            return now != null && isLive(now);
        }, sink);
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
        List<String> users = store.all().stream().filter(r -> r.network() != null
                && r.network().network().equals(record.id())).map(ContainerRecord::name).toList();
        if (!users.isEmpty()) {
            throw KeelException.conflict("network %s is in use by %s: stop or remove them first", record.name(),
                    String.join(", ", users));
        }
        networks.remove(record, drivers.network());
    }

    // --- helpers ---

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private void publish(ContainerRecord r, String action, Map<String, String> extra) {
        Map<String, String> attributes = new HashMap<>(extra);
        attributes.put("name", r.name());
        attributes.put("image", r.config().image() != null ? r.config().image() : "rootfs:" + r.config().rootfs());
        events.publish(new Event(Instant.now(), "container", action, r.id(), attributes));
    }
}
