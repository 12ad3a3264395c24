package keel.api.network;

import java.util.List;

/**
 * A container on a network, as {@code keel network inspect} lists it: its interface there while it runs
 * (null {@code ifName}, no addresses while it is stopped), and the names it answers to there.
 *
 * @since 1.2
 */
public record NetworkEndpoint(String containerId, String containerName, String ifName, List<String> addresses,
        String mac, List<String> aliases) {
    public NetworkEndpoint {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
