package keel.api.network;

import java.util.List;

/**
 * CNI's ADD input.
 *
 * @param containerId the container
 * @param containerName its name, for name resolution on the network
 * @param netns the path of its network namespace, e.g. {@code /proc/PID/ns/net}
 * @param ifName the interface name inside, e.g. {@code eth0}
 * @param ports ports to publish
 * @param aliases further names it answers to on the network
 */
public record AttachRequest(String containerId, String containerName, String netns, String ifName,
        List<PortMapping> ports, List<String> aliases) {
    public AttachRequest {
        ports = List.copyOf(ports);
        aliases = List.copyOf(aliases);
    }
}
