package keel.kernel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.osgi.framework.BundleContext;

import keel.api.KeelException;

/**
 * Where the kernel keeps things and how long it waits for drivers. Each setting comes from the
 * kernel's configuration (PID {@code keel.kernel}), else the framework property of the same name
 * (set by the launcher from {@code --root}/{@code --run}), else the default.
 *
 * @param root state root ({@code keel.root}, default /var/lib/keel)
 * @param run runtime directory ({@code keel.run}, default /run/keel)
 * @param plugins the watched plugins directory ({@code keel.plugins}, default ROOT/plugins)
 * @param driverWait how long a call waits for a driver kind to be bound ({@code keel.driver.wait.ms}, 5000)
 */
public record KernelSettings(Path root, Path run, Path plugins, Duration driverWait) {
    public static final String PID = "keel.kernel";

    public static KernelSettings from(BundleContext context, Map<String, ?> config) {
        Path root = Path.of(value(context, config, "keel.root", "/var/lib/keel")).toAbsolutePath();
        Path run = Path.of(value(context, config, "keel.run", "/run/keel")).toAbsolutePath();
        Path plugins = Path.of(value(context, config, "keel.plugins", root.resolve("plugins").toString()));
        String wait = value(context, config, "keel.driver.wait.ms", "5000");
        try {
            return new KernelSettings(root, run, plugins, Duration.ofMillis(Long.parseLong(wait.trim())));
        } catch (NumberFormatException e) {
            throw KeelException.invalid("keel.driver.wait.ms must be a number of milliseconds, not '%s'", wait);
        }
    }

    private static String value(BundleContext context, Map<String, ?> config, String key, String fallback) {
        Object configured = config == null ? null : config.get(key);
        if (configured != null && !configured.toString().isBlank()) {
            return configured.toString();
        }
        String property = context == null ? null : context.getProperty(key);
        return property == null || property.isBlank() ? fallback : property;
    }
}
