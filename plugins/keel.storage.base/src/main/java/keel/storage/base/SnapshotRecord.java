package keel.storage.base;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import keel.api.storage.SnapshotKind;

/**
 * What a driver persists about one snapshot, in {@code meta/<id>}. The parent is held by id, so a
 * commit (which renames the key) never touches the children's records.
 *
 * @param id the snapshot's number, which names its directories; ids start at 1 and are never reused
 * @param parent the parent's id, 0 for none
 */
public record SnapshotRecord(long id, String key, long parent, SnapshotKind kind, Instant created,
        Map<String, String> labels) {
    static final int FORMAT = 1;
    private static final String LABEL = "label.";

    public SnapshotRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public SnapshotRecord committed(String name, Instant when, Map<String, String> newLabels) {
        return new SnapshotRecord(id, name, parent, SnapshotKind.COMMITTED, when, newLabels);
    }

    /** ASCII {@code key=value} lines (java.util.Properties escapes), sorted, without a date comment. */
    public byte[] toBytes() {
        Properties p = new Properties();
        p.setProperty("format", Integer.toString(FORMAT));
        p.setProperty("id", Long.toString(id));
        p.setProperty("key", key);
        if (parent != 0) {
            p.setProperty("parent", Long.toString(parent));
        }
        p.setProperty("kind", kind.name());
        p.setProperty("created", created.toString());
        labels.forEach((name, value) -> p.setProperty(LABEL + name, value));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder sorted = new StringBuilder();
        new String(out.toByteArray(), StandardCharsets.ISO_8859_1).lines().filter(line -> !line.startsWith("#"))
                .sorted().forEach(line -> sorted.append(line).append('\n'));
        return sorted.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Parses a record; any malformed or missing field is an IOException naming it. */
    public static SnapshotRecord parse(byte[] bytes) throws IOException {
        Properties p = new Properties();
        try {
            p.load(new ByteArrayInputStream(bytes));
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed escape: " + e.getMessage(), e);
        }
        String format = require(p, "format");
        if (!Integer.toString(FORMAT).equals(format)) {
            throw new IOException("unknown record format " + format + " (this driver reads " + FORMAT + ")");
        }
        try {
            long id = Long.parseLong(require(p, "id"));
            String key = Keys.check(require(p, "key"), "key");
            String parentText = p.getProperty("parent");
            long parent = parentText == null ? 0 : Long.parseLong(parentText);
            SnapshotKind kind = SnapshotKind.valueOf(require(p, "kind"));
            Instant created = Instant.parse(require(p, "created"));
            Map<String, String> labels = new TreeMap<>();
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith(LABEL)) {
                    labels.put(name.substring(LABEL.length()), p.getProperty(name));
                }
            }
            if (id <= 0 || parent < 0 || parent == id) {
                throw new IOException("impossible id " + id + " or parent " + parent);
            }
            return new SnapshotRecord(id, key, parent, kind, created, labels);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String require(Properties p, String name) throws IOException {
        String value = p.getProperty(name);
        if (value == null) {
            throw new IOException("no '" + name + "'");
        }
        return value;
    }
}
