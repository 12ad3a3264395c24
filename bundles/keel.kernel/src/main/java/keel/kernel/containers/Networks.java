package keel.kernel.containers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import keel.api.KeelException;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkDriver;
import keel.api.network.NetworkRecord;
import keel.kernel.state.Json;
import keel.kernel.state.StateStore;

/**
 * The networks the kernel knows, as the network driver returned them (data): persisted in
 * {@code <root>/networks/networks.json}. The default network {@code bridge} is made on first use.
 */
final class Networks {
    static final String DEFAULT = "bridge";

    /** The persisted form. */
    record Index(List<NetworkRecord> networks) {
        Index {
            networks = networks == null ? List.of() : List.copyOf(networks);
        }
    }

    private final StateStore store;
    private final List<NetworkRecord> networks = new ArrayList<>();

    Networks(Path dir) {
        this.store = new StateStore(dir);
        if (store.contains("networks")) {
            store.<Index>get("networks", Json.MAPPER.constructType(Index.class))
                    .ifPresent(i -> networks.addAll(i.networks()));
        }
    }

    /** The network {@code name}, made by {@code driver} if it is the default one and does not exist yet. */
    synchronized NetworkRecord get(String name, NetworkDriver driver) {
        for (NetworkRecord n : networks) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        if (!name.equals(DEFAULT)) {
            throw KeelException.notFound("no such network: %s; create it with 'keel network create %s'", name, name);
        }
        return create(new NetworkConfig(DEFAULT, null, null, Map.of()), driver);
    }

    synchronized NetworkRecord create(NetworkConfig config, NetworkDriver driver) {
        for (NetworkRecord n : networks) {
            if (n.name().equals(config.name())) {
                throw KeelException.conflict("network %s already exists", config.name());
            }
        }
        NetworkRecord record = driver.create(config);
        networks.add(record);
        store.put("networks", new Index(networks));
        return record;
    }

    synchronized List<NetworkRecord> list() {
        return List.copyOf(networks);
    }

    synchronized void remove(NetworkRecord record, NetworkDriver driver) {
        driver.delete(record);
        networks.removeIf(n -> n.id().equals(record.id()));
        store.put("networks", new Index(networks));
    }
}
