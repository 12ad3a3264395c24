package keel.api.network;

import java.util.List;
import java.util.Map;

/** CNI's ADD result as data, kept by the kernel so any instance of the driver can DEL or adopt it. */
public record Attachment(String containerId, String network, String netns, String ifName, String hostIfName,
        List<String> addresses, String gateway, String mac, List<PortMapping> ports, Map<String, String> driverData) {
    public Attachment {
        addresses = List.copyOf(addresses);
        ports = List.copyOf(ports);
        driverData = driverData == null ? Map.of() : Map.copyOf(driverData);
    }
}
