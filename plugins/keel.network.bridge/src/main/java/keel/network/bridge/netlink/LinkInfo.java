package keel.network.bridge.netlink;

/**
 * A network interface as rtnetlink reports it.
 *
 * @param index its ifindex
 * @param name e.g. {@code eth0}
 * @param kind the {@code IFLA_INFO_KIND} ({@code bridge}, {@code veth}), or null for a physical one
 * @param up whether {@code IFF_UP} is set
 * @param mtu its MTU
 * @param master the ifindex of its master (bridge), 0 for none
 * @param mac its hardware address as {@code aa:bb:..}, or null
 */
public record LinkInfo(int index, String name, String kind, boolean up, int mtu, int master, String mac) {
}
