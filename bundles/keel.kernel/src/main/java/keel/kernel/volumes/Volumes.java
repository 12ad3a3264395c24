package keel.kernel.volumes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import keel.api.KeelException;
import keel.api.volume.VolumeInfo;
import keel.api.volume.VolumeService;

/**
 * {@code keel volume ...} over the store. Which containers use a volume is asked of
 * {@code users} (volume name to container names); the caller serialises this against container
 * creation, so a volume checked unused is not taken meanwhile.
 */
public final class Volumes implements VolumeService {
    private final VolumeStore store;
    private final Function<String, List<String>> users;

    public Volumes(VolumeStore store, Function<String, List<String>> users) {
        this.store = store;
        this.users = users;
    }

    @Override
    public VolumeInfo createVolume(String name, Map<String, String> labels) {
        return store.create(name == null ? VolumeStore.anonymousName() : name, labels).volume();
    }

    @Override
    public List<VolumeInfo> volumes() {
        return store.list();
    }

    @Override
    public VolumeInfo volume(String name) {
        return store.get(name);
    }

    @Override
    public void removeVolume(String name, boolean force) {
        if (store.find(name).isEmpty()) {
            if (force) {
                return;
            }
            throw KeelException.notFound("no such volume: %s", name);
        }
        List<String> using = users.apply(name);
        if (!using.isEmpty()) {
            throw KeelException.conflict("volume %s is in use by container %s: remove %s first", name,
                    String.join(", ", using), using.size() == 1 ? "it" : "them");
        }
        store.remove(name);
    }

    @Override
    public List<String> pruneVolumes(boolean all) {
        List<String> removed = new ArrayList<>();
        for (VolumeInfo v : store.list()) {
            if ((all || v.anonymous()) && users.apply(v.name()).isEmpty()) {
                store.remove(v.name());
                removed.add(v.name());
            }
        }
        return removed;
    }
}
