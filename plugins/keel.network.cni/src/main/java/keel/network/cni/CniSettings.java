package keel.network.cni;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import keel.api.KeelException;

/**
 * What a CNI driver instance works with. The component reads it with {@link #from}; tests give
 * names of their own so that nothing they make can touch a real Keel's bridges or state.
 *
 * @param confDir operator-written network configuration lists ({@code *.conflist}, {@code *.conf})
 * @param pluginDirs where the plugin executables are looked up (CNI_PATH)
 * @param stateDir generated conflists and host-local's leases ({@code <keel.root>/network.cni})
 * @param timeout how long one plugin invocation may take before it is killed
 * @param defaultBridge the bridge of the built-in {@code bridge} network
 * @param defaultSubnet the subnet of the built-in {@code bridge} network
 * @param bridgePrefix the start of a generated network's bridge name, followed by its id
 */
public record CniSettings(Path confDir, List<Path> pluginDirs, Path stateDir, Duration timeout, String defaultBridge,
        String defaultSubnet, String bridgePrefix) {
    /** The configuration PID, and the start of every key (also read as framework properties). */
    public static final String PID = "keel.network.cni";
    static final String CONF_DIR = PID + ".confdir";
    static final String PATH = PID + ".path";
    static final String TIMEOUT = PID + ".timeout.ms";
    static final String SUBNET = PID + ".subnet";

    public CniSettings {
        pluginDirs = List.copyOf(pluginDirs);
        Names.checkInterfaceName(defaultBridge, "the default bridge");
        if (!bridgePrefix.matches("[a-z][a-z0-9-]{0,7}")) {
            throw KeelException.invalid("bridge prefix '%s' must be 1 to 8 lower-case letters, digits or '-'", bridgePrefix);
        }
        Cidr.parse(defaultSubnet);
        if (timeout.isNegative() || timeout.isZero()) {
            throw KeelException.invalid("%s must be a positive number of milliseconds", TIMEOUT);
        }
    }

    /**
     * Each setting from the component's configuration (PID {@value #PID}), else the framework
     * property of the same name, else the default: {@code keel.network.cni.confdir}
     * (/etc/keel/cni/net.d), {@code keel.network.cni.path} (/usr/lib/cni:/opt/cni/bin),
     * {@code keel.network.cni.timeout.ms} (30000), {@code keel.network.cni.subnet} (10.89.0.0/24);
     * the state under {@code keel.root} (/var/lib/keel).
     */
    public static CniSettings from(Map<String, ?> config, Function<String, String> frameworkProperty) {
        Function<String, String> value = key -> {
            Object configured = config == null ? null : config.get(key);
            if (configured != null && !configured.toString().isBlank()) {
                return configured.toString().strip();
            }
            String property = frameworkProperty.apply(key);
            return property == null || property.isBlank() ? null : property.strip();
        };
        String root = orElse(value.apply("keel.root"), "/var/lib/keel");
        String timeout = orElse(value.apply(TIMEOUT), "30000");
        long millis;
        try {
            millis = Long.parseLong(timeout);
        } catch (NumberFormatException e) {
            throw KeelException.invalid("%s must be a number of milliseconds, not '%s'", TIMEOUT, timeout);
        }
        List<Path> path = Arrays.stream(orElse(value.apply(PATH), "/usr/lib/cni:/opt/cni/bin").split(":"))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
        return new CniSettings(Path.of(orElse(value.apply(CONF_DIR), "/etc/keel/cni/net.d")), path,
                Path.of(root).toAbsolutePath().resolve("network." + CniDriver.ID), Duration.ofMillis(millis),
                "keelcni0", orElse(value.apply(SUBNET), "10.89.0.0/24"), "kcni-");
    }

    /** host-local's leases: one directory per network name below. */
    Path ipamDir() {
        return stateDir.resolve("ipam");
    }

    /** Generated conflists, {@code <name>.conflist}. */
    Path networksDir() {
        return stateDir.resolve("networks");
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
