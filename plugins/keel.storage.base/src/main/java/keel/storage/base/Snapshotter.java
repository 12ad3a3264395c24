package keel.storage.base;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.layer.Change;
import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.Snapshot;
import keel.api.storage.SnapshotKind;
import keel.api.storage.SnapshotChanges;
import keel.api.storage.StorageDriver;
import keel.api.storage.Usage;

/**
 * A snapshotter over a {@link Layout}: keyed snapshots with a parent chain, kinds, labels and
 * created times, persisted one record per snapshot. Its state is under {@code <root>/storage.<id>/}:
 *
 * <pre>
 * lock          held (flock) by the one live instance
 * last-id       the highest id reserved; ids are never reused (reserved in blocks: one durable
 *               write per {@value #ID_BLOCK} creates, not one per create)
 * meta/&lt;id&gt;     the snapshot's record: the snapshot exists exactly when this file does
 * fs/&lt;id&gt;/      its layer (and whatever else the layout keeps per id, e.g. work/&lt;id&gt;/)
 * </pre>
 *
 * A create makes the directories first and writes the record last (temp, fsync, rename, fsync
 * the directory); a remove deletes the record first. So a crash leaves only directories without
 * a record and temporary files, and the next instance removes exactly those before it answers.
 *
 * <p>Thread-safe: the slow part of a create (copying a tree) runs outside the index lock, so
 * prepares of different keys proceed together; a key or parent in use by a create in flight is
 * reserved. {@link #close()} waits for calls in flight and releases the home for the next instance
 * (a new version of the bundle).
 *
 * <p>An instance made while another one in this JVM holds the home (a replacement bundle of the
 * same driver, installed before the old one is uninstalled) checks the host and is ready to be
 * bound at once, but takes the home over only at its first call: that call waits, up to the lock
 * wait, for the old instance to close, then removes debris and reads the records the old one
 * left. So a replacement has no window without a storage driver, and never two instances use
 * one home.
 */
public class Snapshotter implements StorageDriver, SnapshotChanges, AutoCloseable {
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(30);

    private final Layout layout;
    private final String id;
    private final Path home;
    private final Path metaDir;
    private final Duration lockWait;
    private final FileChannel lockChannel;
    /** Null until this instance owns the home: it was made while another instance in this JVM held it. */
    private volatile FileLock homeLock;
    private final Object takeover = new Object();
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private boolean closed;

    private final Object index = new Object();
    private final Map<String, SnapshotRecord> byKey = new HashMap<>();
    private final Map<Long, SnapshotRecord> byId = new HashMap<>();
    /** Keys being created, with their parent's id (0 for none). */
    private final Map<String, Long> pending = new HashMap<>();
    /** How many ids one durable write of {@code last-id} reserves. */
    static final int ID_BLOCK = 256;

    /** The last id handed out. */
    private long lastId;
    /** The highest id {@code last-id} on disk reserves; ids up to it are handed out without writing. */
    private long reservedId;
    /** Records that could not be read, by id, with the reason: not listed, and their files are kept. */
    private final Map<Long, String> unreadable = new TreeMap<>();
    private int debrisRemoved;

    public Snapshotter(Path root, Layout layout) {
        this(root, layout, DEFAULT_LOCK_WAIT);
    }

    /**
     * Opens (creating if needed) the driver's state under {@code root}, waiting up to {@code lockWait}
     * for a previous instance in another process to close, checks the host and removes the debris
     * of a crash. If an instance in this JVM holds the home, the takeover waits for the first call.
     */
    public Snapshotter(Path root, Layout layout, Duration lockWait) {
        this.layout = layout;
        this.id = layout.driverId();
        this.lockWait = lockWait;
        if (root == null || !root.isAbsolute()) {
            throw KeelException.invalid("storage driver %s: the state root must be an absolute path, not '%s'", id,
                    root);
        }
        this.home = root.normalize().resolve("storage." + id);
        this.metaDir = home.resolve("meta");
        try {
            privateDirectory(root.normalize());
            privateDirectory(home);
            privateDirectory(metaDir);
            for (String dir : layout.snapshotDirs()) {
                privateDirectory(home.resolve(dir));
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "storage driver " + id + " cannot create its state in "
                    + home + ": " + e.getMessage() + "; check keel.root and that the daemon runs as root", e);
        }
        this.lockChannel = openLock();
        try {
            this.homeLock = acquire(lockWait, true);
            layout.checkHost(home);
            if (homeLock != null) {
                recover();
            }
        } catch (RuntimeException e) {
            releaseHome();
            throw e;
        }
    }

    private static void privateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** {@code <root>/storage.<id>}. */
    public Path home() {
        return home;
    }

    // ---- the StorageDriver contract

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return create(key, parent, labels, SnapshotKind.ACTIVE);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return create(key, parent, labels, SnapshotKind.VIEW);
    }

    @Override
    public List<Mount> mounts(String key) {
        Keys.check(key, "key");
        enter();
        try {
            SnapshotRecord record;
            List<Long> chain;
            synchronized (index) {
                record = find(key);
                if (record.kind() == SnapshotKind.COMMITTED) {
                    throw KeelException.conflict("snapshot '%s' is committed and is never mounted itself: make a "
                            + "view of it (view(key, \"%s\")) or an active snapshot on it", key, key);
                }
                chain = chain(record.parent());
            }
            return layout.mounts(home, record.id(), record.kind(), chain);
        } finally {
            exit();
        }
    }

    @Override
    public void commit(String name, String key, Map<String, String> labels) {
        Keys.check(name, "name");
        Keys.check(key, "key");
        Map<String, String> checked = Keys.checkLabels(labels);
        enter();
        try {
            // the layer's content must be on disk before a record names it committed
            try {
                FileTrees.syncFilesystem(home);
            } catch (IOException e) {
                throw failure("cannot commit snapshot '" + key + "'", e);
            }
            synchronized (index) {
                SnapshotRecord record = find(key);
                if (record.kind() != SnapshotKind.ACTIVE) {
                    throw KeelException.conflict("snapshot '%s' is %s: only an active snapshot can be committed",
                            key, label(record.kind()));
                }
                if (byKey.containsKey(name) || pending.containsKey(name)) {
                    throw new KeelException(ErrorKind.ALREADY_EXISTS, "cannot commit '" + key + "' as '" + name
                            + "': a snapshot named '" + name + "' exists; choose another name or remove it");
                }
                SnapshotRecord committed = record.committed(name, Instant.now(), checked);
                try {
                    AtomicFiles.write(metaPath(record.id()), committed.toBytes());
                } catch (IOException e) {
                    throw failure("cannot commit snapshot '" + key + "' as '" + name + "'", e);
                }
                byKey.remove(key);
                byKey.put(name, committed);
                byId.put(committed.id(), committed);
            }
        } finally {
            exit();
        }
    }

    @Override
    public void remove(String key) {
        Keys.check(key, "key");
        enter();
        try {
            SnapshotRecord record;
            synchronized (index) {
                record = find(key);
                List<String> children = new ArrayList<>();
                for (SnapshotRecord other : byId.values()) {
                    if (other.parent() == record.id()) {
                        children.add("'" + other.key() + "'");
                    }
                }
                pending.forEach((child, parent) -> {
                    if (parent == record.id()) {
                        children.add("'" + child + "' (being prepared)");
                    }
                });
                if (!children.isEmpty()) {
                    children.sort(Comparator.naturalOrder());
                    throw KeelException.conflict("snapshot '%s' is the parent of %s: remove %s first", key,
                            String.join(", ", children), children.size() == 1 ? "it" : "them");
                }
                try {
                    AtomicFiles.delete(metaPath(record.id()));
                } catch (IOException e) {
                    throw failure("cannot remove snapshot '" + key + "'", e);
                }
                byKey.remove(key);
                byId.remove(record.id());
            }
            deleteDirectories(record.id(), key);
        } finally {
            exit();
        }
    }

    @Override
    public Snapshot stat(String key) {
        Keys.check(key, "key");
        enter();
        try {
            synchronized (index) {
                return toSnapshot(find(key));
            }
        } finally {
            exit();
        }
    }

    @Override
    public List<Snapshot> list() {
        enter();
        try {
            synchronized (index) {
                return byKey.values().stream().sorted(Comparator.comparing(SnapshotRecord::key))
                        .map(this::toSnapshot).collect(Collectors.toUnmodifiableList());
            }
        } finally {
            exit();
        }
    }

    @Override
    public Usage usage(String key) {
        Keys.check(key, "key");
        enter();
        try {
            SnapshotRecord record;
            synchronized (index) {
                record = find(key);
            }
            try {
                return FileTrees.usage(Layout.layer(home, record.id()));
            } catch (NativeIOException e) {
                if (e.errno() == Libc.ENOENT) {
                    throw KeelException.notFound("snapshot '%s' was removed while its usage was measured", key);
                }
                throw failure("cannot measure snapshot '" + key + "'", e);
            } catch (IOException e) {
                throw failure("cannot measure snapshot '" + key + "'", e);
            }
        } finally {
            exit();
        }
    }

    @Override
    public Path upperDir(String key) {
        Keys.check(key, "key");
        enter();
        try {
            synchronized (index) {
                SnapshotRecord record = find(key);
                if (record.kind() != SnapshotKind.ACTIVE) {
                    throw KeelException.conflict("snapshot '%s' is %s: only an active snapshot has a writable "
                            + "directory; prepare one", key, label(record.kind()));
                }
                return Layout.layer(home, record.id());
            }
        } finally {
            exit();
        }
    }

    @Override
    public List<Change> changes(String key) {
        Keys.check(key, "key");
        enter();
        try {
            SnapshotRecord record;
            List<Long> chain;
            synchronized (index) {
                record = find(key);
                if (record.kind() == SnapshotKind.VIEW) {
                    throw KeelException.conflict("snapshot '%s' is a view: it changes nothing; ask for the changes of "
                            + "an active or committed snapshot", key);
                }
                chain = chain(record.parent());
            }
            try {
                return layout.changes(home, record.id(), chain);
            } catch (NativeIOException e) {
                if (e.errno() == Libc.ENOENT) {
                    throw KeelException.notFound("snapshot '%s' was removed while its changes were read", key);
                }
                throw failure("cannot read the changes of snapshot '" + key + "'", e);
            } catch (IOException e) {
                throw failure("cannot read the changes of snapshot '" + key + "'", e);
            }
        } finally {
            exit();
        }
    }

    @Override
    public WhiteoutStyle whiteoutStyle() {
        return layout.whiteoutStyle();
    }

    @Override
    public Map<String, String> describe() {
        enter();
        try {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("driver", id);
            facts.put("root", home.toString());
            try {
                facts.put("backing.filesystem", Filesystems.type(home));
            } catch (NativeIOException e) {
                throw failure("cannot inspect " + home, e);
            }
            Map<SnapshotKind, Integer> counts = new EnumMap<>(SnapshotKind.class);
            synchronized (index) {
                for (SnapshotKind kind : SnapshotKind.values()) {
                    counts.put(kind, 0);
                }
                byId.values().forEach(r -> counts.merge(r.kind(), 1, Integer::sum));
                facts.put("snapshots", Integer.toString(byId.size()));
                counts.forEach((kind, n) -> facts.put("snapshots." + label(kind), Integer.toString(n)));
                if (!unreadable.isEmpty()) {
                    facts.put("snapshots.unreadable", unreadable.entrySet().stream()
                            .map(e -> metaPath(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining("; ")));
                }
            }
            facts.put("debris.removed.at.start", Integer.toString(debrisRemoved));
            facts.putAll(layout.describe(home));
            return facts;
        } finally {
            exit();
        }
    }

    /** Waits for calls in flight, then releases the state directory for the next instance. */
    @Override
    public void close() {
        life.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                releaseHome();
            }
        } finally {
            life.writeLock().unlock();
        }
    }

    // ---- create

    private List<Mount> create(String key, String parentKey, Map<String, String> labels, SnapshotKind kind) {
        Keys.check(key, "key");
        if (parentKey != null) {
            Keys.check(parentKey, "parent");
        }
        Map<String, String> checked = Keys.checkLabels(labels);
        enter();
        try {
            long snapshotId;
            List<Long> chain;
            synchronized (index) {
                if (byKey.containsKey(key) || pending.containsKey(key)) {
                    throw new KeelException(ErrorKind.ALREADY_EXISTS, "snapshot '" + key + "' exists"
                            + (pending.containsKey(key) ? " (being prepared)" : "")
                            + "; remove it first or choose another key");
                }
                long parentId = 0;
                if (parentKey != null) {
                    SnapshotRecord parent = byKey.get(parentKey);
                    if (parent == null) {
                        throw KeelException.notFound("parent snapshot '%s' does not exist%s", parentKey,
                                pending.containsKey(parentKey) ? " yet (it is being prepared)" : "");
                    }
                    if (parent.kind() != SnapshotKind.COMMITTED) {
                        throw KeelException.conflict("parent snapshot '%s' is %s: only a committed snapshot can "
                                + "be a parent; commit it first", parentKey, label(parent.kind()));
                    }
                    parentId = parent.id();
                }
                chain = chain(parentId);
                layout.checkParents(chain);
                snapshotId = allocateId(key);
                pending.put(key, parentId);
            }
            SnapshotRecord record = new SnapshotRecord(snapshotId, key, chain.isEmpty() ? 0 : chain.get(0), kind,
                    Instant.now(), checked);
            boolean done = false;
            try {
                layout.create(home, snapshotId, kind, chain);
                AtomicFiles.write(metaPath(snapshotId), record.toBytes());
                done = true;
            } catch (IOException e) {
                throw failure("cannot create snapshot '" + key + "'", e);
            } finally {
                if (!done) {
                    deleteQuietly(snapshotId);
                }
                synchronized (index) {
                    pending.remove(key);
                    if (done) {
                        byKey.put(key, record);
                        byId.put(snapshotId, record);
                    }
                }
            }
            return layout.mounts(home, snapshotId, kind, chain);
        } finally {
            exit();
        }
    }

    /**
     * The next id. Reserves a block of ids on disk when the last one is used up, so that a prepare
     * costs no write of {@code last-id} (two fsyncs) but once per block; after a restart the next
     * id is above the whole reserved block, so an id is still never handed out twice. Under the
     * index lock.
     */
    private long allocateId(String key) {
        long next = lastId + 1;
        if (next > reservedId) {
            long reserve = next + ID_BLOCK - 1;
            try {
                AtomicFiles.write(home.resolve("last-id"), (reserve + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw failure("cannot create snapshot '" + key + "'", e);
            }
            reservedId = reserve;
        }
        lastId = next;
        return next;
    }

    /** Committed ids from {@code parent} down to the base, nearest first. Under the index lock. */
    private List<Long> chain(long parent) {
        List<Long> chain = new ArrayList<>();
        for (long p = parent; p != 0; p = byId.get(p).parent()) {
            chain.add(p);
        }
        return List.copyOf(chain);
    }

    // ---- crash recovery

    private void recover() {
        try {
            lastId = readLastId();
            Map<Long, SnapshotRecord> loaded = new HashMap<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(metaDir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.startsWith(AtomicFiles.TEMP_PREFIX)) {
                        Files.deleteIfExists(entry);
                        debrisRemoved++;
                    } else if (isId(name)) {
                        long snapshotId = Long.parseLong(name);
                        try {
                            SnapshotRecord record = SnapshotRecord.parse(Files.readAllBytes(entry));
                            if (record.id() != snapshotId) {
                                throw new IOException("it names id " + record.id());
                            }
                            loaded.put(snapshotId, record);
                        } catch (IOException e) {
                            unreadable.put(snapshotId, e.getMessage());
                        }
                    }
                }
            }
            dropInconsistent(loaded);
            for (long known : loaded.keySet()) {
                lastId = Math.max(lastId, known);
            }
            for (long known : unreadable.keySet()) {
                lastId = Math.max(lastId, known);
            }
            for (String family : layout.snapshotDirs()) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(home.resolve(family))) {
                    for (Path entry : entries) {
                        String name = entry.getFileName().toString();
                        if (isId(name)) {
                            long snapshotId = Long.parseLong(name);
                            lastId = Math.max(lastId, snapshotId);
                            if (loaded.containsKey(snapshotId) || unreadable.containsKey(snapshotId)) {
                                continue;
                            }
                        } else if (!name.startsWith(AtomicFiles.TEMP_PREFIX)) {
                            continue; // not ours: leave it
                        }
                        FileTrees.delete(entry); // a half-made or half-removed snapshot
                        debrisRemoved++;
                    }
                }
            }
            if (debrisRemoved > 0) {
                AtomicFiles.syncDirectory(metaDir);
            }
            loaded.values().forEach(r -> {
                byId.put(r.id(), r);
                byKey.put(r.key(), r);
            });
        } catch (IOException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "storage driver " + id + " cannot read its state in "
                    + home + ": " + e.getMessage(), e);
        }
    }

    /** Moves records whose key repeats or whose parent is missing or not committed to {@link #unreadable}. */
    private void dropInconsistent(Map<Long, SnapshotRecord> loaded) {
        Map<String, Long> keys = new HashMap<>();
        for (SnapshotRecord r : loaded.values().stream().sorted(Comparator.comparingLong(SnapshotRecord::id))
                .toList()) {
            Long previous = keys.putIfAbsent(r.key(), r.id());
            if (previous != null) {
                unreadable.put(r.id(), "key '" + r.key() + "' is also held by snapshot " + previous);
                loaded.remove(r.id());
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Iterator<SnapshotRecord> it = loaded.values().iterator(); it.hasNext();) {
                SnapshotRecord r = it.next();
                if (r.parent() == 0) {
                    continue;
                }
                SnapshotRecord parent = loaded.get(r.parent());
                if (parent == null || parent.kind() != SnapshotKind.COMMITTED) {
                    unreadable.put(r.id(), "its parent " + r.parent() + (parent == null ? " is missing or unreadable"
                            : " is not committed"));
                    it.remove();
                    changed = true;
                }
            }
        }
    }

    private long readLastId() throws IOException {
        Path file = home.resolve("last-id");
        if (!Files.exists(file)) {
            return 0;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return isId(text) ? Long.parseLong(text) : 0;
    }

    private static boolean isId(String name) {
        if (name.isEmpty() || name.length() > 18 || name.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    // ---- helpers

    private Path metaPath(long snapshotId) {
        return metaDir.resolve(Long.toString(snapshotId));
    }

    /** Under the index lock. */
    private SnapshotRecord find(String key) {
        SnapshotRecord record = byKey.get(key);
        if (record == null) {
            throw KeelException.notFound("snapshot '%s' does not exist%s", key,
                    pending.containsKey(key) ? " yet (it is being prepared)" : "");
        }
        return record;
    }

    /** Under the index lock. */
    private Snapshot toSnapshot(SnapshotRecord r) {
        String parent = r.parent() == 0 ? null : byId.get(r.parent()).key();
        return new Snapshot(r.key(), parent, r.kind(), r.created(), r.labels());
    }

    private static String label(SnapshotKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void deleteDirectories(long snapshotId, String key) {
        for (String family : layout.snapshotDirs()) {
            Path dir = home.resolve(family).resolve(Long.toString(snapshotId));
            try {
                FileTrees.delete(dir);
            } catch (IOException e) {
                throw new KeelException(ErrorKind.INTERNAL, "snapshot '" + key + "' is removed, but " + dir
                        + " could not be deleted (" + e.getMessage() + "); the driver deletes it when it next starts",
                        e);
            }
        }
    }

    private void deleteQuietly(long snapshotId) {
        for (String family : layout.snapshotDirs()) {
            try {
                FileTrees.delete(home.resolve(family).resolve(Long.toString(snapshotId)));
            } catch (IOException | RuntimeException ignored) {
                // debris without a record: the next start removes it
            }
        }
    }

    /** An I/O failure as the one exception type: a full disk is worth a retry, the rest is internal. */
    private KeelException failure(String what, IOException e) {
        boolean noSpace = (e instanceof NativeIOException n && n.noSpace())
                || (e instanceof FileSystemException f && String.valueOf(f.getReason()).contains("No space left"))
                || String.valueOf(e.getMessage()).contains("No space left");
        if (noSpace) {
            return new KeelException(ErrorKind.UNAVAILABLE, what + ": no space left on the filesystem of " + home
                    + "; free space and retry", e);
        }
        return new KeelException(ErrorKind.INTERNAL, what + ": " + e.getMessage(), e);
    }

    private void enter() {
        life.readLock().lock();
        if (closed) {
            life.readLock().unlock();
            throw KeelException.unavailable("storage driver %s for %s is closed (its bundle stopped or is being "
                    + "replaced); retry with the bound driver", id, home);
        }
        if (homeLock == null) {
            try {
                takeOver();
            } catch (RuntimeException e) {
                life.readLock().unlock();
                throw e;
            }
        }
    }

    /** Waits for the instance that held the home when this one was made to close, then recovers. */
    private void takeOver() {
        synchronized (takeover) {
            if (homeLock == null) {
                FileLock lock = acquire(lockWait, false);
                try {
                    recover();
                } catch (RuntimeException e) {
                    release(lock);
                    throw e;
                }
                homeLock = lock;
            }
        }
    }

    private void exit() {
        life.readLock().unlock();
    }

    private FileChannel openLock() {
        try {
            return FileChannel.open(home.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "storage driver " + id + " cannot open "
                    + home.resolve("lock") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The home's lock, waiting up to {@code wait} while another process holds it; while another
     * instance in this JVM holds it, null at once if {@code deferIfHeldInThisJvm}, else it waits too.
     */
    private FileLock acquire(Duration wait, boolean deferIfHeldInThisJvm) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                try {
                    FileLock lock = lockChannel.tryLock();
                    if (lock != null) {
                        return lock;
                    }
                } catch (OverlappingFileLockException heldInThisJvm) {
                    if (deferIfHeldInThisJvm) {
                        return null; // a replacement: it takes the home over at its first call
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw KeelException.unavailable("storage driver %s: %s is in use by another instance (a second "
                            + "daemon on this root, or a previous instance still finishing its calls); waited %d ms",
                            id, home, wait.toMillis());
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "storage driver " + id + " cannot lock " + home + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("storage driver %s: interrupted while waiting for %s", id, home);
        }
    }

    private void releaseHome() {
        release(homeLock);
        closeLockChannel();
    }

    private static void release(FileLock lock) {
        if (lock != null) {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
        }
    }

    private void closeLockChannel() {
        try {
            lockChannel.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }
}
