package keel.api.kernel;

import java.util.List;

/**
 * A bundle installed from the plugins directory.
 *
 * @param bundleId the framework's bundle id
 * @param symbolicName Bundle-SymbolicName
 * @param version Bundle-Version
 * @param state the bundle state (active, resolved, installed, ...)
 * @param location the file it came from
 * @param drivers the driver services it registers, as {@code kind/id}
 */
public record PluginInfo(long bundleId, String symbolicName, String version, String state, String location,
        List<String> drivers) {
}
