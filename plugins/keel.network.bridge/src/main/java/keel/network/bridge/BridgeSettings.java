package keel.network.bridge;

import java.nio.file.Path;

import keel.api.KeelException;

/**
 * What a bridge driver instance works with. The component uses {@link #defaults(Path)}; tests
 * give names of their own so that nothing they make can touch a real Keel's bridges or table.
 *
 * @param stateDir where leases and published ports are kept ({@code <keel.root>/network.bridge})
 * @param table the nftables table (family inet) holding every rule of the driver
 * @param defaultBridge the bridge of the default network, named {@code bridge}
 * @param bridgePrefix the start of a user network's bridge name, followed by its id
 * @param vethPrefix the start of a host-side veth name, followed by a digest of container and network
 * @param nft the nft executable
 */
public record BridgeSettings(Path stateDir, String table, String defaultBridge, String bridgePrefix, String vethPrefix,
        String nft) {

    public BridgeSettings {
        Names.checkInterfaceName(defaultBridge, "the default bridge");
        if (!table.matches("[a-z][a-z0-9_]{0,31}")) {
            throw KeelException.invalid("'%s' is not a usable nftables table name", table);
        }
        if (!bridgePrefix.matches("[a-z][a-z0-9-]{0,6}") || !vethPrefix.matches("[a-z][a-z0-9]{0,6}")) {
            throw KeelException.invalid("interface prefixes %s and %s must be 1 to 7 lower-case letters or digits",
                    bridgePrefix, vethPrefix);
        }
    }

    /** Docker's names with Keel's: bridge {@code keel0}, user bridges {@code keel-<id>}, veths {@code veth<digest>}, table {@code keel}. */
    public static BridgeSettings defaults(Path stateDir) {
        return new BridgeSettings(stateDir, "keel", "keel0", "keel-", "veth", "nft");
    }
}
