package keel.network.bridge.ipam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Address management: a {@link Pool} file per network under {@code <state>/networks/<id>}, each
 * change a read-modify-write under the state directory's lock and an atomic write, so no address
 * is handed out twice, across threads, driver instances and restarts.
 */
public final class Ipam {
    static final String NETWORKS = "networks";

    private final StateDir state;

    public Ipam(StateDir state) {
        this.state = state;
    }

    public Optional<Pool> find(String networkId) {
        return state.read(file(networkId)).map(text -> Pool.parse(text, state.root().resolve(file(networkId)).toString()));
    }

    public Pool require(String networkId) {
        return find(networkId).orElseThrow(() -> KeelException.notFound(
                "network %s is not known to the bridge driver (no %s): was it deleted?", networkId,
                state.root().resolve(file(networkId))));
    }

    public List<Pool> all() {
        Path dir = state.root().resolve(NETWORKS);
        List<Pool> pools = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return pools;
        }
        try (var files = Files.newDirectoryStream(dir, f -> !f.getFileName().toString().startsWith("."))) {
            for (Path file : files) {
                find(file.getFileName().toString()).ifPresent(pools::add);
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        return pools;
    }

    /** Writes {@code pool} (a new network, or after a change); call under the lock. */
    public void save(Pool pool) {
        state.write(file(pool.id()), pool.render());
    }

    public void remove(String networkId) {
        state.delete(file(networkId));
    }

    /** Under the lock: reads the pool, applies {@code change}, writes it back, returns the change's result. */
    public <T> T update(String networkId, Function<Pool, T> change) {
        return state.locked(() -> {
            Pool pool = require(networkId);
            T result = change.apply(pool);
            save(pool);
            return result;
        });
    }

    public Lease allocate(String networkId, String hostIfName, String containerId) {
        return update(networkId, pool -> pool.allocate(hostIfName, containerId));
    }

    /** Releases the lease of {@code hostIfName}; false when there was none (or no such network any more). */
    public boolean release(String networkId, String hostIfName) {
        return state.locked(() -> {
            Optional<Pool> pool = find(networkId);
            if (pool.isEmpty() || !pool.get().release(hostIfName)) {
                return false;
            }
            save(pool.get());
            return true;
        });
    }

    private static String file(String networkId) {
        if (!networkId.matches("[0-9a-f]{1,64}")) {
            throw KeelException.invalid("'%s' is not a network id of the bridge driver (hex digits)", networkId);
        }
        return NETWORKS + "/" + networkId;
    }
}
