package keel.kernel.system;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import keel.api.driver.DriverKind;
import keel.api.driver.KeelDriver;
import keel.api.kernel.DriverService;
import keel.api.kernel.HostInfo;
import keel.api.kernel.PluginInfo;
import keel.api.kernel.SystemService;
import keel.api.kernel.VersionInfo;
import keel.kernel.KernelSettings;
import keel.kernel.drivers.Drivers;

/** Answers {@code keel version}, {@code keel info} and {@code keel plugins}. */
@Component(service = SystemService.class, configurationPid = KernelSettings.PID)
public class SystemInfo implements SystemService {
    private final BundleContext context;
    private final KernelSettings settings;
    private final DriverService driverService;
    private final Drivers drivers;

    @Activate
    public SystemInfo(BundleContext context, Map<String, Object> config, @Reference DriverService driverService,
            @Reference Drivers drivers) {
        this.context = context;
        this.settings = KernelSettings.from(context, config);
        this.driverService = driverService;
        this.drivers = drivers;
    }

    @Override
    public VersionInfo version() {
        Bundle framework = context.getBundle(0);
        String api = apiVersion();
        String keel = context.getProperty("keel.version");
        return new VersionInfo(keel == null ? context.getBundle().getVersion().toString() : keel, api,
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                framework.getSymbolicName() + " " + framework.getVersion(), System.getProperty("os.name"),
                System.getProperty("os.arch"));
    }

    /** The version of the driver contract package this kernel is wired to, e.g. 1.0.0. */
    private String apiVersion() {
        BundleWiring wiring = context.getBundle().adapt(BundleWiring.class);
        for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            Map<String, Object> attributes = wire.getCapability().getAttributes();
            if ("keel.api.driver".equals(attributes.get(PackageNamespace.PACKAGE_NAMESPACE))) {
                return String.valueOf(attributes.get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE));
            }
        }
        return "unknown";
    }

    @Override
    public HostInfo info() {
        return new HostInfo(HostFacts.kernelVersion(), HostFacts.operatingSystem(),
                Runtime.getRuntime().availableProcessors(), HostFacts.memoryBytes(), HostFacts.cgroupVersion(),
                settings.root().toString(), settings.run().toString(), settings.plugins().toString(),
                driverService.drivers(), drivers.facts(), containerCount());
    }

    /** Dynamic: the container service references the kernel's other services, not this one's users. */
    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    private volatile keel.api.container.ContainerService containers;

    private int containerCount() {
        keel.api.container.ContainerService service = containers;
        return service == null ? 0 : service.list(true).size();
    }

    @Override
    public List<PluginInfo> plugins() {
        Path dir = settings.plugins().toAbsolutePath().normalize();
        List<PluginInfo> plugins = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String location = b.getLocation();
            if (fileOf(location).map(f -> f.startsWith(dir)).orElse(false)) {
                try {
                    plugins.add(new PluginInfo(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(),
                            state(b), location, driversOf(b)));
                } catch (IllegalStateException uninstalled) {
                    // removed from the plugins directory while it was listed: it is not there any more
                }
            }
        }
        return plugins;
    }

    /** The file a bundle was installed from ({@code file:} or {@code reference:file:} location), if any. */
    static Optional<Path> fileOf(String location) {
        String url = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!url.startsWith("file:")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(URI.create(url.replace(" ", "%20"))).toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            return Optional.of(Path.of(url.substring("file:".length())).toAbsolutePath().normalize());
        }
    }

    private static List<String> driversOf(Bundle bundle) {
        List<String> drivers = new ArrayList<>();
        ServiceReference<?>[] registered = bundle.getRegisteredServices();
        if (registered == null) {
            return drivers;
        }
        for (ServiceReference<?> ref : registered) {
            String[] classes = (String[]) ref.getProperty("objectClass");
            for (DriverKind kind : DriverKind.values()) {
                for (String c : classes) {
                    if (c.equals(kind.serviceInterface())) {
                        drivers.add(kind.label() + "/" + ref.getProperty(KeelDriver.ID));
                    }
                }
            }
        }
        return drivers;
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }
}
