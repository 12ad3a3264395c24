package keel.network.bridge.netlink;

import keel.network.bridge.ipam.Ipv4;

/** An IPv4 address on an interface: {@code address/prefixLength} on ifindex {@code index}. */
public record AddressInfo(int index, Ipv4 address, int prefixLength) {
    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
