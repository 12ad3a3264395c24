package keel.api.network;

import java.util.Map;

/**
 * A network to create (user-defined or the default bridge).
 *
 * @param name e.g. {@code bridge}, {@code mynet}
 * @param subnet CIDR, or null to choose one that avoids the host's routes
 * @param gateway the gateway address, or null for the subnet's first
 * @param options driver options
 */
public record NetworkConfig(String name, String subnet, String gateway, Map<String, String> options) {
    public NetworkConfig {
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
