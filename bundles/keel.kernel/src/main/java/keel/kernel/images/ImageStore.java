package keel.kernel.images;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import keel.api.image.Digest;
import keel.kernel.state.CrashPoints;
import keel.kernel.state.Json;
import keel.kernel.state.StateStore;

/**
 * Which manifests are images, and their names: {@code <root>/images/images.json}, written
 * atomically after the blobs it refers to are in the content store. A name belongs to one image.
 */
final class ImageStore {
    /** One image: its manifest's digest and its names (empty: an untagged image). */
    record Entry(String manifest, List<String> names) {
        Entry {
            names = List.copyOf(names);
        }

        Digest digest() {
            return Digest.parse(manifest);
        }
    }

    /** The persisted form. */
    record Index(List<Entry> images) {
        Index {
            images = images == null ? List.of() : List.copyOf(images);
        }
    }

    private static final String RECORD = "images";
    private final StateStore store;
    private final Map<String, Entry> byManifest = new LinkedHashMap<>();

    ImageStore(Path dir) {
        this.store = new StateStore(dir);
        if (store.contains(RECORD)) {
            store.<Index>get(RECORD, Json.MAPPER.constructType(Index.class))
                    .ifPresent(index -> index.images().forEach(e -> byManifest.put(e.manifest(), e)));
        }
    }

    synchronized List<Entry> all() {
        return new ArrayList<>(byManifest.values());
    }

    /** Adds the image (if new) and gives it {@code name} (taking the name from any other image). */
    synchronized Entry add(Digest manifest, String name) {
        if (name != null) {
            moveName(name); // saved below with the new image, in one write
        }
        Entry existing = byManifest.get(manifest.toString());
        List<String> names = new ArrayList<>(existing == null ? List.of() : existing.names());
        if (name != null && !names.contains(name)) {
            names.add(name);
        }
        Entry entry = new Entry(manifest.toString(), names);
        byManifest.put(entry.manifest(), entry);
        CrashPoints.reach("image.before-record");
        save();
        CrashPoints.reach("image.record-written");
        return entry;
    }

    /** Removes a name from whichever image has it; returns whether one had it. */
    synchronized boolean untag(String name) {
        boolean had = moveName(name);
        if (had) {
            save();
        }
        return had;
    }

    /** Takes every name from the image, which stays (dangling), in one write. */
    synchronized void untagAll(Digest manifest) {
        Entry e = byManifest.get(manifest.toString());
        if (e != null && !e.names().isEmpty()) {
            byManifest.put(e.manifest(), new Entry(e.manifest(), List.of()));
            save();
        }
    }

    /** Takes {@code name} from whichever image has it, in memory only. */
    private boolean moveName(String name) {
        for (Entry e : List.copyOf(byManifest.values())) {
            if (e.names().contains(name)) {
                List<String> names = new ArrayList<>(e.names());
                names.remove(name);
                byManifest.put(e.manifest(), new Entry(e.manifest(), names));
                return true;
            }
        }
        return false;
    }

    synchronized void remove(Digest manifest) {
        byManifest.remove(manifest.toString());
        save();
    }

    private void save() {
        store.put(RECORD, new Index(new ArrayList<>(byManifest.values())));
    }
}
