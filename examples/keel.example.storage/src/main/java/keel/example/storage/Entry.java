package keel.example.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import keel.api.storage.Snapshot;
import keel.api.storage.SnapshotKind;

/**
 * One snapshot's record, as kept in {@code meta/<id>}: a properties file (its escapes carry any
 * label text, newlines and NULs included). The snapshot exists exactly when its record does.
 */
record Entry(long id, String key, String parent, SnapshotKind kind, Instant created, Map<String, String> labels) {
    private static final String LABEL = "label.";

    Snapshot snapshot() {
        return new Snapshot(key, parent, kind, created, labels);
    }

    Entry committedAs(String name, Map<String, String> newLabels) {
        return new Entry(id, name, parent, SnapshotKind.COMMITTED, Instant.now(), newLabels);
    }

    void write(OutputStream out) throws IOException {
        Properties p = new Properties();
        p.setProperty("id", Long.toString(id));
        p.setProperty("key", key);
        if (parent != null) {
            p.setProperty("parent", parent);
        }
        p.setProperty("kind", kind.name());
        p.setProperty("created", created.toString());
        labels.forEach((k, v) -> p.setProperty(LABEL + k, v));
        p.store(out, null);
    }

    static Entry read(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(in);
        Map<String, String> labels = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith(LABEL)) {
                labels.put(name.substring(LABEL.length()), p.getProperty(name));
            }
        }
        try {
            return new Entry(Long.parseLong(p.getProperty("id")), require(p, "key"), p.getProperty("parent"),
                    SnapshotKind.valueOf(require(p, "kind")), Instant.parse(require(p, "created")), Map.copyOf(labels));
        } catch (RuntimeException e) {
            throw new IOException("not a snapshot record: " + e.getMessage(), e);
        }
    }

    private static String require(Properties p, String name) throws IOException {
        String value = p.getProperty(name);
        if (value == null) {
            throw new IOException("not a snapshot record: no " + name);
        }
        return value;
    }
}
