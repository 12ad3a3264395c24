package keel.example.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import keel.api.KeelException;
import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.Snapshot;
import keel.api.storage.SnapshotKind;
import keel.api.storage.StorageDriver;
import keel.api.storage.Usage;

/**
 * An overlayfs snapshotter in plain Java, as small as the contract allows: the example a plugin
 * author starts from (PLUGINS.md). State under {@code <root>/storage.example/}: {@code meta/<id>}
 * (the record, written atomically; the snapshot exists exactly when it does), {@code fs/<id>/} (the
 * snapshot's own files: an active snapshot's upper directory, later its committed layer) and
 * {@code work/<id>/} (overlayfs's work directory). Keys never become paths: they map to numeric ids.
 *
 * <p>It returns mounts as data ({@link Mount}), never mounts anything itself: the kernel and the
 * isolation driver do, in the container's mount namespace. One monitor serialises every call; Keel's
 * own overlay driver shows what a production driver adds (fd-relative tree walks that never cross
 * a mount, syncfs at commit, a lock against a second instance, a probe of the filesystem).
 */
public class ExampleSnapshotter implements StorageDriver, AutoCloseable {
    public static final String ID = "example";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,254}");
    private static final int LABELS_MAX_BYTES = 4096;
    /** mount(2) copies one page of options. */
    private static final int MOUNT_DATA_LIMIT = 4096;
    private static final String TEMP = ".tmp-";

    private final Path home;
    private final Map<String, Entry> byKey = new HashMap<>();
    private long lastId;
    private boolean closed;

    public ExampleSnapshotter(Path root) throws IOException {
        this.home = root.toAbsolutePath().resolve("storage." + ID);
        for (String dir : List.of("meta", "fs", "work")) {
            Files.createDirectories(home.resolve(dir));
        }
        load();
    }

    /** Reads every record; removes what a crash left: temporary records, directories without a record. */
    private void load() throws IOException {
        Set<String> ids = new HashSet<>();
        for (Path file : children(home.resolve("meta"))) {
            String name = file.getFileName().toString();
            if (name.startsWith(TEMP)) {
                Files.delete(file);
                continue;
            }
            try (InputStream in = Files.newInputStream(file)) {
                Entry e = Entry.read(in);
                byKey.put(e.key(), e);
                ids.add(Long.toString(e.id()));
                lastId = Math.max(lastId, e.id());
            } catch (IOException e) {
                throw new IOException("storage driver " + ID + ": cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        for (String dir : List.of("fs", "work")) {
            for (Path p : children(home.resolve(dir))) {
                if (!ids.contains(p.getFileName().toString())) {
                    deleteTree(p); // created by a prepare that never wrote its record
                }
            }
        }
    }

    // ---- the contract

    @Override
    public synchronized Map<String, String> describe() {
        Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("root", home.toString());
        try {
            facts.put("backing.filesystem", Files.getFileStore(home).type());
        } catch (IOException e) {
            facts.put("backing.filesystem", "unknown (" + e.getMessage() + ")");
        }
        facts.put("snapshots", Integer.toString(byKey.size()));
        return facts;
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return create(key, parent, labels, SnapshotKind.ACTIVE);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return create(key, parent, labels, SnapshotKind.VIEW);
    }

    private synchronized List<Mount> create(String key, String parent, Map<String, String> labels, SnapshotKind kind) {
        checkKey(key);
        if (parent != null) {
            checkKey(parent);
        }
        Map<String, String> checked = checkLabels(labels);
        open();
        if (byKey.containsKey(key)) {
            throw new KeelException(keel.api.ErrorKind.ALREADY_EXISTS, "snapshot " + key + " already exists");
        }
        if (parent != null && existing(parent).kind() != SnapshotKind.COMMITTED) {
            throw KeelException.conflict("snapshot %s is %s: a parent must be committed", parent,
                    existing(parent).kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        Entry e = new Entry(++lastId, key, parent, kind, Instant.now(), checked);
        try {
            Files.createDirectory(fs(e.id()));
            Files.createDirectory(home.resolve("work").resolve(Long.toString(e.id())));
            writeRecord(e); // last: until now a crash leaves only directories, removed at the next start
        } catch (IOException x) {
            deleteQuietly(e.id());
            throw KeelException.internal("storage driver " + ID + ": cannot create snapshot " + key + ": "
                    + x.getMessage(), x);
        }
        byKey.put(key, e);
        return mountsOf(e);
    }

    @Override
    public synchronized List<Mount> mounts(String key) {
        checkKey(key);
        open();
        Entry e = existing(key);
        if (e.kind() == SnapshotKind.COMMITTED) {
            throw KeelException.conflict("snapshot %s is committed: it has no mounts; make a view of it", key);
        }
        return mountsOf(e);
    }

    @Override
    public synchronized void commit(String name, String key, Map<String, String> labels) {
        checkKey(name);
        checkKey(key);
        Map<String, String> checked = checkLabels(labels);
        open();
        Entry active = existing(key);
        if (active.kind() != SnapshotKind.ACTIVE) {
            throw KeelException.conflict("snapshot %s is %s: only an active snapshot can be committed", key,
                    active.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (byKey.containsKey(name)) {
            throw new KeelException(keel.api.ErrorKind.ALREADY_EXISTS, "snapshot " + name + " already exists");
        }
        Entry committed = active.committedAs(name, checked);
        try {
            writeRecord(committed); // the same id: the layer stays where it is
            deleteTree(home.resolve("work").resolve(Long.toString(active.id())));
            Files.createDirectory(home.resolve("work").resolve(Long.toString(active.id())));
        } catch (IOException x) {
            throw KeelException.internal("storage driver " + ID + ": cannot commit " + key + ": " + x.getMessage(), x);
        }
        byKey.remove(key);
        byKey.put(name, committed);
    }

    @Override
    public synchronized void remove(String key) {
        checkKey(key);
        open();
        Entry e = existing(key);
        List<String> children = byKey.values().stream().filter(c -> key.equals(c.parent())).map(Entry::key)
                .sorted().toList();
        if (!children.isEmpty()) {
            throw KeelException.conflict("snapshot %s is the parent of %s: remove them first", key,
                    String.join(", ", children));
        }
        try {
            Files.delete(home.resolve("meta").resolve(Long.toString(e.id()))); // first: from now on it is gone
        } catch (IOException x) {
            throw KeelException.internal("storage driver " + ID + ": cannot remove " + key + ": " + x.getMessage(), x);
        }
        byKey.remove(key);
        deleteQuietly(e.id());
    }

    @Override
    public synchronized Snapshot stat(String key) {
        checkKey(key);
        open();
        return existing(key).snapshot();
    }

    @Override
    public synchronized List<Snapshot> list() {
        open();
        return byKey.values().stream().map(Entry::snapshot).toList();
    }

    @Override
    public synchronized Usage usage(String key) {
        checkKey(key);
        open();
        Path dir = fs(existing(key).id());
        Set<Object> inodes = new HashSet<>();
        long[] bytes = {0};
        try (Stream<Path> walk = Files.walk(dir)) { // never follows a symlink
            for (Path p : walk.toList()) {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,size", LinkOption.NOFOLLOW_LINKS);
                if (inodes.add(a.get("ino"))) { // a hard link is the same inode: counted once
                    bytes[0] += (Long) a.get("size");
                }
            }
        } catch (IOException x) {
            throw KeelException.internal("storage driver " + ID + ": cannot measure " + key + ": " + x.getMessage(), x);
        }
        return new Usage(bytes[0], inodes.size());
    }

    @Override
    public synchronized Path upperDir(String key) {
        checkKey(key);
        open();
        Entry e = existing(key);
        if (e.kind() != SnapshotKind.ACTIVE) {
            throw KeelException.conflict("snapshot %s is %s: only an active snapshot has an upper directory", key,
                    e.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        return fs(e.id());
    }

    @Override
    public WhiteoutStyle whiteoutStyle() {
        return WhiteoutStyle.OVERLAY; // overlayfs: 0/0 character devices and opaque xattrs
    }

    /** After close every call fails with UNAVAILABLE; the state stays for the next instance. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    // ---- mounts

    /**
     * No parent: the snapshot's own directory, bound. A view of one layer: that layer, bound read-only.
     * Otherwise overlayfs with the chain of layers as lowerdirs, nearest first; given relative to
     * {@code fs/} (with {@code x-keel.chdir}) when absolute paths would not fit in a page.
     */
    private List<Mount> mountsOf(Entry e) {
        boolean view = e.kind() == SnapshotKind.VIEW;
        List<Long> layers = new ArrayList<>();
        for (String p = e.parent(); p != null; p = byKey.get(p).parent()) {
            layers.add(byKey.get(p).id());
        }
        if (layers.isEmpty()) {
            return List.of(new Mount("", "bind", fs(e.id()).toString(), List.of("rbind", view ? "ro" : "rw")));
        }
        if (view && layers.size() == 1) {
            return List.of(new Mount("", "bind", fs(layers.get(0)).toString(), List.of("rbind", "ro")));
        }
        List<String> absolute = overlayOptions(view, layers.stream().map(id -> fs(id).toString()).toList(),
                fs(e.id()).toString(), home.resolve("work").resolve(Long.toString(e.id())).toString());
        if (dataLength(absolute) < MOUNT_DATA_LIMIT) {
            return List.of(new Mount("", "overlay", "overlay", absolute));
        }
        List<String> relative = new ArrayList<>(overlayOptions(view, layers.stream().map(String::valueOf).toList(),
                Long.toString(e.id()), "../work/" + e.id()));
        relative.add("x-keel.chdir=" + home.resolve("fs"));
        return List.of(new Mount("", "overlay", "overlay", relative));
    }

    private static List<String> overlayOptions(boolean view, List<String> lowers, String upper, String work) {
        List<String> options = new ArrayList<>();
        if (view) {
            options.add("ro");
        }
        options.add("index=off");
        options.add("lowerdir=" + String.join(":", lowers));
        if (!view) {
            options.add("upperdir=" + upper);
            options.add("workdir=" + work);
        }
        return options;
    }

    private static int dataLength(List<String> options) {
        return options.stream().filter(o -> !o.equals("ro")).collect(Collectors.joining(","))
                .getBytes(StandardCharsets.UTF_8).length + 1;
    }

    // ---- checks and files

    private void open() {
        if (closed) {
            throw KeelException.unavailable("storage driver %s is closed (its bundle is stopping or being replaced); "
                    + "retry", ID);
        }
    }

    private Entry existing(String key) {
        Entry e = byKey.get(key);
        if (e == null) {
            throw KeelException.notFound("no snapshot %s in storage driver %s", key, ID);
        }
        return e;
    }

    private static void checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw KeelException.invalid("invalid snapshot key '%s': expected [A-Za-z0-9][A-Za-z0-9._:@+=-]{0,254}",
                    key == null ? "" : key.replace("\0", "\\0"));
        }
    }

    private static Map<String, String> checkLabels(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        int bytes = 0;
        for (Map.Entry<String, String> l : labels.entrySet()) {
            bytes += l.getKey().getBytes(StandardCharsets.UTF_8).length + l.getValue().getBytes(StandardCharsets.UTF_8)
                    .length;
        }
        if (bytes > LABELS_MAX_BYTES) {
            throw KeelException.invalid("snapshot labels of %d bytes: at most %d", bytes, LABELS_MAX_BYTES);
        }
        return Map.copyOf(labels);
    }

    private Path fs(long id) {
        return home.resolve("fs").resolve(Long.toString(id));
    }

    /** Temp file, fsync, rename over the record, fsync the directory. */
    private void writeRecord(Entry e) throws IOException {
        Path meta = home.resolve("meta");
        Path temp = meta.resolve(TEMP + e.id() + "-" + System.nanoTime());
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE); FileChannel sync = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                e.write(out);
                out.flush();
                sync.force(true);
            }
            Files.move(temp, meta.resolve(Long.toString(e.id())), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(meta, StandardOpenOption.READ)) {
                dir.force(true);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void deleteQuietly(long id) {
        for (String dir : List.of("fs", "work")) {
            try {
                deleteTree(home.resolve(dir).resolve(Long.toString(id)));
            } catch (IOException x) {
                // removed at the next start: a directory without a record is debris
            }
        }
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Deletes a tree without following symlinks (a link is removed, never its target). */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
