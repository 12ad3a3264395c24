package keel.api.network;

import java.util.Map;

/** A created network as data: its config as settled by the driver (subnet chosen, bridge name). */
public record NetworkRecord(String id, String name, String driver, String subnet, String gateway,
        Map<String, String> driverData) {
    public NetworkRecord {
        driverData = driverData == null ? Map.of() : Map.copyOf(driverData);
    }
}
