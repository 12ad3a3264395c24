package keel.api.storage;

import java.time.Instant;
import java.util.Map;

/** A snapshot's metadata. {@code parent} is null for a base snapshot. */
public record Snapshot(String key, String parent, SnapshotKind kind, Instant created, Map<String, String> labels) {
    public Snapshot {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
