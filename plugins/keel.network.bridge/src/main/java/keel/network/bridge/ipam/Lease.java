package keel.network.bridge.ipam;

/** An address handed to one attachment: its host-side interface (unique per attachment) and container. */
public record Lease(Ipv4 address, String hostIfName, String containerId) {
}
