package keel.kernel.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.kernel.state.StateStore;

/**
 * The containers the kernel knows: one directory each under {@code <root>/containers}, its record
 * written atomically; an index by id and name in memory. A directory without a complete record
 * (a crash during create) is debris and removed at start.
 */
final class ContainerStore {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerStore.class);
    private static final String RECORD = "container";
    private static final String COMMIT_PAUSE = "commit-pause";

    private final Path dir;
    private final Map<String, ContainerRecord> byId = new ConcurrentHashMap<>();

    ContainerStore(Path dir) {
        this.dir = dir;
        load();
    }

    Path dir(String id) {
        return dir.resolve(id);
    }

    private void load() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path container : entries.toList()) {
                StateStore store = new StateStore(container);
                if (!store.containsComplete(RECORD)) { // missing, or empty after a machine crash (--rm)
                    LOG.warn("removing {}: no complete container record (debris of a crash)", container);
                    deleteTree(container);
                    continue;
                }
                store.get(RECORD, keel.kernel.state.Json.MAPPER.constructType(ContainerRecord.class))
                        .ifPresent(r -> byId.put(((ContainerRecord) r).id(), (ContainerRecord) r));
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the record; it is visible to others only once written. A --rm container's records are
     * not fsynced: after a machine crash such a container is to be gone either way, and start-up
     * recovery ends and removes it if its record is there, removes its directory if the record is
     * missing or empty, and the collector its orphaned snapshot (two or three journal commits less
     * per `run --rm`).
     */
    void put(ContainerRecord record) {
        write(record, false);
    }

    /**
     * {@link #put} of a record whose change holds only until the machine stops (a process started:
     * after a machine crash it is gone whether or not the change is on disk). Still never half-written.
     */
    void putForThisBoot(ContainerRecord record) {
        write(record, true);
    }

    private void write(ContainerRecord record, boolean forThisBoot) {
        StateStore state = StateStore.opened(dir(record.id()));
        if (record.config().autoRemove()) {
            state.putUnsynced(RECORD, record);
        } else if (forThisBoot) {
            state.putForThisBoot(RECORD, record);
        } else {
            state.put(RECORD, record);
        }
        byId.put(record.id(), record);
    }

    /**
     * Notes (true) or forgets (false) that a commit paused the container, beside its record: start-up
     * recovery resumes a container that a daemon killed in the middle of a commit left paused.
     */
    void pausedForCommit(String id, boolean paused) {
        StateStore state = StateStore.opened(dir(id));
        if (paused) {
            state.put(COMMIT_PAUSE, Map.of("since", java.time.Instant.now().toString()));
        } else {
            state.remove(COMMIT_PAUSE);
        }
    }

    boolean isPausedForCommit(String id) {
        return StateStore.opened(dir(id)).contains(COMMIT_PAUSE);
    }

    void remove(String id) {
        byId.remove(id);
        deleteTree(dir(id));
    }

    Collection<ContainerRecord> all() {
        return byId.values();
    }

    ContainerRecord get(String id) {
        ContainerRecord r = byId.get(id);
        if (r == null) {
            throw KeelException.notFound("no such container: %s", id);
        }
        return r;
    }

    boolean nameTaken(String name) {
        return byId.values().stream().anyMatch(r -> r.name().equals(name));
    }

    /** An exact id, an exact name, or a unique id prefix. */
    ContainerRecord find(String ref) {
        ContainerRecord exact = byId.get(ref);
        if (exact != null) {
            return exact;
        }
        for (ContainerRecord r : byId.values()) {
            if (r.name().equals(ref)) {
                return r;
            }
        }
        if (Names.isIdPrefix(ref)) {
            List<ContainerRecord> matches = new ArrayList<>();
            for (ContainerRecord r : byId.values()) {
                if (r.id().startsWith(ref)) {
                    matches.add(r);
                }
            }
            if (matches.size() == 1) {
                return matches.get(0);
            }
            if (matches.size() > 1) {
                throw KeelException.invalid("'%s' matches %d containers: give more of the id", ref, matches.size());
            }
        }
        throw KeelException.notFound("no such container: %s", ref);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot remove " + root + ": " + e.getMessage(), e);
        }
    }
}
