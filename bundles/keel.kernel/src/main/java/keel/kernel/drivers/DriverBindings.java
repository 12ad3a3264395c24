package keel.kernel.drivers;

import static org.osgi.service.component.annotations.ReferenceCardinality.MULTIPLE;
import static org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL;
import static org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC;
import static org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.driver.Driver;
import keel.api.driver.DriverKind;
import keel.api.image.ImageFormat;
import keel.api.image.RegistryClient;
import keel.api.isolation.IsolationDriver;
import keel.api.kernel.DriverKindReport;
import keel.api.kernel.DriverReport;
import keel.api.kernel.DriverService;
import keel.api.kernel.DriverState;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.api.layer.LayerUnpacker;
import keel.api.network.NetworkDriver;
import keel.api.storage.StorageDriver;
import keel.kernel.KernelSettings;
import keel.kernel.state.Json;
import keel.kernel.state.StateStore;

/**
 * Binds every driver kind with a dynamic, greedy, multiple reference, so that a driver bundle
 * stopped, updated or replaced is a rebind and never a deactivation of the kernel. Holds the
 * operator's swap choices (persisted), answers {@code keel drivers}, and hands the rest of the
 * kernel the bound driver per call.
 */
@Component(service = {DriverService.class, Drivers.class}, immediate = true, configurationPid = KernelSettings.PID)
public class DriverBindings implements DriverService, Drivers {
    private static final Logger LOG = LoggerFactory.getLogger(DriverBindings.class);
    private static final String PINS = "driver-pins";

    private final EventService events;
    private final KernelSettings settings;
    private final StateStore store;
    private final Map<DriverKind, DriverSlot<? extends Driver>> slots = new EnumMap<>(DriverKind.class);
    private final Map<ServiceReference<?>, InFlightCalls> inFlight = new ConcurrentHashMap<>();
    private final DriverSlot<IsolationDriver> isolation = slot(DriverKind.ISOLATION);
    private final DriverSlot<CgroupDriver> cgroup = slot(DriverKind.CGROUP);
    private final DriverSlot<StorageDriver> storage = slot(DriverKind.STORAGE);
    private final DriverSlot<LayerUnpacker> layer = slot(DriverKind.LAYER);
    private final DriverSlot<ImageFormat> image = slot(DriverKind.IMAGE);
    private final DriverSlot<RegistryClient> registry = slot(DriverKind.REGISTRY);
    private final DriverSlot<NetworkDriver> network = slot(DriverKind.NETWORK);

    @Reference(cardinality = OPTIONAL, policy = DYNAMIC, policyOption = GREEDY)
    private volatile ServiceComponentRuntime scr;

    @Activate
    public DriverBindings(@Reference EventService events, BundleContext context, Map<String, Object> config) {
        this.events = events;
        this.settings = KernelSettings.from(context, config);
        this.store = new StateStore(settings.root().resolve("kernel"));
        Map<String, String> pins = store.contains(PINS)
                ? store.<Map<String, String>>get(PINS, Json.MAPPER.getTypeFactory()
                        .constructMapType(Map.class, String.class, String.class)).orElse(Map.of())
                : Map.of();
        pins.forEach((kind, id) -> slots.get(DriverKind.ofLabel(kind)).pin(id));
    }

    // --- Drivers: typed access for the kernel ---

    @Override
    public IsolationDriver isolation() {
        return isolation.await(settings.driverWait());
    }

    @Override
    public CgroupDriver cgroup() {
        return cgroup.await(settings.driverWait());
    }

    @Override
    public StorageDriver storage() {
        return storage.await(settings.driverWait());
    }

    @Override
    public LayerUnpacker layer() {
        return layer.await(settings.driverWait());
    }

    @Override
    public ImageFormat image() {
        return image.await(settings.driverWait());
    }

    @Override
    public RegistryClient registry() {
        return registry.await(settings.driverWait());
    }

    @Override
    public NetworkDriver network() {
        return network.await(settings.driverWait());
    }

    @Override
    public IsolationDriver isolation(String id) {
        return isolation.await(id, settings.driverWait());
    }

    @Override
    public CgroupDriver cgroup(String id) {
        return cgroup.await(id, settings.driverWait());
    }

    @Override
    public StorageDriver storage(String id) {
        return storage.await(id, settings.driverWait());
    }

    @Override
    public NetworkDriver network(String id) {
        return network.await(id, settings.driverWait());
    }

    @Override
    public Optional<IsolationDriver> registeredIsolation(String id) {
        return isolation.registered(id);
    }

    @Override
    public Optional<CgroupDriver> registeredCgroup(String id) {
        return cgroup.registered(id);
    }

    @Override
    public Optional<String> idOf(DriverKind kind, Object driver) {
        return slots.get(kind).idOf(driver);
    }

    @Override
    public Optional<String> boundId(DriverKind kind) {
        return slots.get(kind).current().map(Provider::id);
    }

    // --- DriverService ---

    @Override
    public List<DriverKindReport> drivers() {
        List<DriverKindReport> reports = new ArrayList<>();
        for (DriverKind kind : DriverKind.values()) {
            reports.add(report(kind));
        }
        return reports;
    }

    @Override
    public DriverKindReport swap(DriverKind kind, String id) {
        DriverSlot<? extends Driver> slot = slots.get(kind);
        if (slot.find(id).isEmpty()) {
            String known = String.join(", ", slot.providers().stream().map(Provider::id).toList());
            throw KeelException.notFound("no %s driver with id '%s' is registered%s", kind.label(), id,
                    known.isEmpty() ? "; none of that kind is" : "; registered: " + known);
        }
        savePins(kind, id);
        slot.pin(id);
        LOG.info("swap: {} driver pinned to {}", kind.label(), id);
        return report(kind);
    }

    @Override
    public DriverKindReport unpin(DriverKind kind) {
        savePins(kind, null);
        slots.get(kind).pin(null);
        LOG.info("swap: {} driver chosen by ranking again", kind.label());
        return report(kind);
    }

    /** Persists every kind's pin with {@code kind}'s replaced by {@code id} (null: none). */
    private void savePins(DriverKind kind, String id) {
        Map<String, String> pins = new LinkedHashMap<>();
        for (DriverSlot<? extends Driver> s : slots.values()) {
            s.pinned().ifPresent(p -> pins.put(s.kind().label(), p));
        }
        if (id == null) {
            pins.remove(kind.label());
        } else {
            pins.put(kind.label(), id);
        }
        store.put(PINS, pins);
    }

    @Override
    public Map<String, String> probe(DriverKind kind) {
        return slots.get(kind).await(settings.driverWait()).describe();
    }

    @Override
    public Map<String, Map<String, String>> facts() {
        Map<String, Map<String, String>> facts = new LinkedHashMap<>();
        for (DriverSlot<? extends Driver> slot : slots.values()) {
            slot.current().ifPresent(p -> {
                try {
                    facts.put(slot.kind().label(), p.service().describe());
                } catch (RuntimeException e) {
                    facts.put(slot.kind().label(), Map.of("error", String.valueOf(e.getMessage())));
                }
            });
        }
        return facts;
    }

    private DriverKindReport report(DriverKind kind) {
        DriverSlot<? extends Driver> slot = slots.get(kind);
        Optional<? extends Provider<? extends Driver>> bound = slot.current();
        Optional<DriverReport> boundReport = bound.map(p -> toReport(p, DriverState.BOUND, ""));
        List<DriverReport> alternatives = new ArrayList<>();
        for (Provider<? extends Driver> p : slot.providers()) {
            if (bound.isPresent() && bound.get().reference().equals(p.reference())) {
                continue;
            }
            String why = whyStandingBy(slot, bound.orElse(null), p);
            alternatives.add(toReport(p, DriverState.STANDBY, why));
        }
        ServiceComponentRuntime runtime = scr;
        if (runtime != null) {
            alternatives.addAll(ComponentFailures.of(runtime, kind));
        }
        return new DriverKindReport(kind, boundReport, alternatives, slot.pinned());
    }

    private static String whyStandingBy(DriverSlot<?> slot, Provider<?> bound, Provider<?> p) {
        if (bound == null) {
            return "registered, not bound";
        }
        if (slot.pinned().filter(bound.id()::equals).isPresent()) {
            return "standing by: 'keel swap' chose " + bound.id();
        }
        if (p.ranking() == bound.ranking()) {
            return "standing by: same ranking as " + bound.id() + ", which registered first";
        }
        return "standing by: its ranking " + p.ranking() + " is below " + bound.id() + "'s " + bound.ranking();
    }

    private static DriverReport toReport(Provider<?> p, DriverState state, String reason) {
        return new DriverReport(p.id(), p.bundleName(), p.bundleVersion(), p.ranking(), state, reason);
    }

    private <D extends Driver> DriverSlot<D> slot(DriverKind kind) {
        DriverSlot<D> slot = new DriverSlot<>(kind, (before, after) -> changed(kind, before, after));
        slots.put(kind, slot);
        return slot;
    }

    /**
     * One change of the bound provider: its unbind and bind events carry the same time, so a
     * replacement (one change) shows no time without a driver, and an update (a removal, then an
     * addition) shows the time between them.
     */
    private void changed(DriverKind kind, Provider<?> before, Provider<?> after) {
        Instant at = Instant.now();
        if (before != null) {
            publish(at, "unbind", kind, before);
        }
        if (after != null) {
            publish(at, "bind", kind, after);
        }
    }

    private void publish(Instant at, String action, DriverKind kind, Provider<?> p) {
        LOG.info("{} driver {}: {} from {} {}", kind.label(), action, p.id(), p.bundleName(), p.bundleVersion());
        Map<String, String> attributes = new HashMap<>();
        attributes.put("bundle", p.bundleName());
        attributes.put("version", p.bundleVersion());
        attributes.put("ranking", Integer.toString(p.ranking()));
        EventService bus = events;
        if (bus != null) {
            bus.publish(new Event(at, "driver", action, kind.label() + "/" + p.id(), attributes));
        }
    }

    /** The driver as the kernel holds it: through a proxy that counts the calls in flight on it. */
    private <D> D guarded(ServiceReference<?> ref, D driver) {
        InFlightCalls calls = new InFlightCalls(driver);
        inFlight.put(ref, calls);
        return calls.proxy();
    }

    /**
     * After a driver's service went (no new call reaches it): waits, up to the driver wait, for the
     * calls still running on it, before its bundle can go on stopping and its classes go away.
     */
    private void drain(ServiceReference<?> ref) {
        InFlightCalls calls = inFlight.remove(ref);
        if (calls != null && !calls.awaitNone(settings.driverWait())) {
            LOG.warn("a driver of {} goes with {} call(s) still running after {} ms", ref.getBundle(),
                    calls.inFlight(), settings.driverWait().toMillis());
        }
    }

    // --- the references: one multiple, dynamic, greedy reference per kind ---

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindIsolation",
            updated = "updatedIsolation")
    void bindIsolation(ServiceReference<IsolationDriver> ref, IsolationDriver d) {
        isolation.add(ref, guarded(ref, d));
    }

    void unbindIsolation(ServiceReference<IsolationDriver> ref) {
        isolation.remove(ref);
        drain(ref);
    }

    void updatedIsolation(ServiceReference<IsolationDriver> ref) {
        isolation.modified();
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindCgroup",
            updated = "updatedCgroup")
    void bindCgroup(ServiceReference<CgroupDriver> ref, CgroupDriver d) {
        cgroup.add(ref, guarded(ref, d));
    }

    void unbindCgroup(ServiceReference<CgroupDriver> ref) {
        cgroup.remove(ref);
        drain(ref);
    }

    void updatedCgroup(ServiceReference<CgroupDriver> ref) {
        cgroup.modified();
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindStorage",
            updated = "updatedStorage")
    void bindStorage(ServiceReference<StorageDriver> ref, StorageDriver d) {
        storage.add(ref, guarded(ref, d));
    }

    void unbindStorage(ServiceReference<StorageDriver> ref) {
        storage.remove(ref);
        drain(ref);
    }

    void updatedStorage(ServiceReference<StorageDriver> ref) {
        storage.modified();
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindLayer",
            updated = "updatedLayer")
    void bindLayer(ServiceReference<LayerUnpacker> ref, LayerUnpacker d) {
        layer.add(ref, guarded(ref, d));
    }

    void unbindLayer(ServiceReference<LayerUnpacker> ref) {
        layer.remove(ref);
        drain(ref);
    }

    void updatedLayer(ServiceReference<LayerUnpacker> ref) {
        layer.modified();
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindImage",
            updated = "updatedImage")
    void bindImage(ServiceReference<ImageFormat> ref, ImageFormat d) {
        image.add(ref, guarded(ref, d));
    }

    void unbindImage(ServiceReference<ImageFormat> ref) {
        image.remove(ref);
        drain(ref);
    }

    void updatedImage(ServiceReference<ImageFormat> ref) {
        image.modified();
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindRegistry",
            updated = "updatedRegistry")
    void bindRegistry(ServiceReference<RegistryClient> ref, RegistryClient d) {
        registry.add(ref, guarded(ref, d));
    }

    void unbindRegistry(ServiceReference<RegistryClient> ref) {
        registry.remove(ref);
        drain(ref);
    }

    void updatedRegistry(ServiceReference<RegistryClient> ref) {
        registry.modified();
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "unbindNetwork",
            updated = "updatedNetwork")
    void bindNetwork(ServiceReference<NetworkDriver> ref, NetworkDriver d) {
        network.add(ref, guarded(ref, d));
    }

    void unbindNetwork(ServiceReference<NetworkDriver> ref) {
        network.remove(ref);
        drain(ref);
    }

    void updatedNetwork(ServiceReference<NetworkDriver> ref) {
        network.modified();
    }
}
