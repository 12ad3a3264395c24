package keel.storage.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.Snapshot;
import keel.api.storage.SnapshotChanges;
import keel.api.storage.SnapshotKind;
import keel.api.storage.StorageDriver;
import keel.api.storage.Usage;

/**
 * The contract every {@link StorageDriver} keeps (containerd's {@code core/snapshots/testsuite} in
 * spirit). A driver's test extends this class and says how to open the driver over a state root,
 * where on the filesystem under test the roots go, and what a crash leaves behind.
 *
 * <p>Files are checked through real mounts of the returned {@link Mount}s ({@link TestMounts},
 * which needs root), written either through such a mount (as a container would) or into
 * {@link StorageDriver#upperDir} (as a layer unpacker would). Each test gets a fresh root; after
 * each, nothing may be left mounted below it.
 */
public abstract class StorageDriverContract {

    /** A new driver instance over state root {@code root} (what {@code keel.root} would be). */
    protected abstract StorageDriver open(Path root) throws Exception;

    /** A directory on the filesystem under test, where each test makes its own root. */
    protected abstract Path scratch() throws Exception;

    /**
     * Leaves in {@code root} what a crash of {@code driver} halfway through creating a snapshot and
     * halfway through writing a record would leave, and returns those paths: the next instance must
     * remove them and list the same snapshots as before.
     */
    protected abstract List<Path> leaveCrashDebris(Path root, StorageDriver driver) throws Exception;

    protected Path base;
    protected Path root;
    protected StorageDriver driver;
    private int mountCount;

    @BeforeEach
    void openDriver() throws Exception {
        assumeTrue(TestMounts.isRoot(), "the storage contract makes real mounts: run it as root");
        base = Files.createTempDirectory(scratch(), "contract-");
        root = Files.createDirectory(base.resolve("root"));
        driver = open(root);
    }

    @AfterEach
    void closeDriver() throws Exception {
        if (base == null) {
            return;
        }
        List<Path> left = TestMounts.mountPointsUnder(base);
        for (int i = left.size() - 1; i >= 0; i--) {
            TestMounts.detach(left.get(i));
        }
        close(driver);
        List<Path> stillThere = TestMounts.mountPointsUnder(base);
        TestMounts.deleteTree(base);
        assertEquals(List.of(), left, "a test left mounts under " + base);
        assertEquals(List.of(), stillThere, "mounts under " + base + " survived a lazy unmount");
    }

    // ---- helpers for the tests and for drivers' own tests

    /** A mount made from a driver's mounts; closing it unmounts. */
    protected final class Mounted implements AutoCloseable {
        private final Path path;

        Mounted(Path path) {
            this.path = path;
        }

        public Path path() {
            return path;
        }

        public Path resolve(String name) {
            return path.resolve(name);
        }

        @Override
        public void close() throws IOException {
            TestMounts.unmount(path);
        }
    }

    protected Mounted mount(List<Mount> mounts) throws IOException {
        assertFalse(mounts.isEmpty(), "a driver returned no mounts");
        Path target = Files.createDirectory(base.resolve("mnt-" + (++mountCount)));
        TestMounts.mount(mounts, target);
        return new Mounted(target);
    }

    protected static void close(StorageDriver d) throws Exception {
        if (d instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Reopens the driver over the same root, as a restart (or a new bundle version) would. */
    protected void reopen() throws Exception {
        close(driver);
        driver = open(root);
    }

    /** Prepares {@code name}-active on {@code parent}, writes {@code files} into its upper dir (as an unpacker), commits it as {@code name}. */
    protected void commitLayer(String name, String parent, Map<String, String> files) throws IOException {
        String key = name + "-active";
        driver.prepare(key, parent, Map.of());
        Path upper = driver.upperDir(key);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = upper.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        driver.commit(name, key, Map.of());
    }

    protected static KeelException assertKeel(ErrorKind kind, Runnable call) {
        KeelException e = assertThrows(KeelException.class, call::run);
        assertEquals(kind, e.kind(), () -> "wrong kind for: " + e.getMessage());
        return e;
    }

    /** The snapshots by key: the order of {@code list()} is not part of the contract. */
    protected static List<Snapshot> sorted(List<Snapshot> snapshots) {
        return snapshots.stream().sorted(java.util.Comparator.comparing(Snapshot::key)).toList();
    }

    private List<String> keys() {
        return driver.list().stream().map(Snapshot::key).sorted().toList();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }

    // ---- prepare, commit, view

    @Test
    void activeWithoutParentIsAnEmptyWritableRoot() throws IOException {
        List<Mount> mounts = driver.prepare("a", null, Map.of());
        try (Mounted m = mount(mounts)) {
            try (var entries = Files.list(m.path())) {
                assertEquals(0, entries.count(), "a new snapshot without parent is empty");
            }
            Files.writeString(m.resolve("hello"), "world");
            Files.createDirectories(m.resolve("etc/app"));
            assertEquals("world", read(m.resolve("hello")));
        }
        assertEquals(SnapshotKind.ACTIVE, driver.stat("a").kind());
        assertNull(driver.stat("a").parent());
    }

    @Test
    void fileWrittenInActiveSnapshotIsSeenThroughAViewOfItsCommit() throws IOException {
        try (Mounted m = mount(driver.prepare("a", null, Map.of()))) {
            Files.createDirectories(m.resolve("usr/bin"));
            Files.writeString(m.resolve("usr/bin/tool"), "#!/bin/sh\n");
        }
        driver.commit("layer1", "a", Map.of());
        try (Mounted v = mount(driver.view("v", "layer1", Map.of()))) {
            assertEquals("#!/bin/sh\n", read(v.resolve("usr/bin/tool")));
        }
        assertEquals(SnapshotKind.VIEW, driver.stat("v").kind());
        assertEquals("layer1", driver.stat("v").parent());
    }

    @Test
    void lowerFileDeletedInActiveSnapshotIsHiddenInAViewOfItsCommit() throws IOException {
        commitLayer("base", null, Map.of("keep", "k", "gone", "g", "dir/inner", "i"));
        try (Mounted m = mount(driver.prepare("a", "base", Map.of()))) {
            assertEquals("g", read(m.resolve("gone")));
            Files.delete(m.resolve("gone"));
            Files.delete(m.resolve("dir/inner"));
            Files.delete(m.resolve("dir"));
        }
        driver.commit("top", "a", Map.of());
        try (Mounted v = mount(driver.view("v", "top", Map.of()))) {
            assertEquals("k", read(v.resolve("keep")));
            assertFalse(Files.exists(v.resolve("gone"), LinkOption.NOFOLLOW_LINKS), "deleted file still visible");
            assertFalse(Files.exists(v.resolve("dir"), LinkOption.NOFOLLOW_LINKS), "deleted directory still visible");
        }
        try (Mounted below = mount(driver.view("v-base", "base", Map.of()))) {
            assertEquals("g", read(below.resolve("gone")), "the parent layer must not change");
        }
    }

    @Test
    void layerUnpackedWithTheDriversWhiteoutStyleHidesLowerEntries() throws IOException {
        commitLayer("base", null, Map.of("keep", "k", "gone", "g", "opaque/old", "o", "opaque/older", "o"));
        driver.prepare("unpack", "base", Map.of());
        Path upper = driver.upperDir("unpack");
        WhiteoutStyle style = driver.whiteoutStyle();
        assertNotNull(style);
        if (style == WhiteoutStyle.OVERLAY) {
            TestMounts.whiteout(upper.resolve("gone"));
            Files.createDirectories(upper.resolve("opaque"));
            TestMounts.setXattr(upper.resolve("opaque"), "trusted.overlay.opaque", "y");
        } else {
            Files.delete(upper.resolve("gone"));
            Files.delete(upper.resolve("opaque/old"));
            Files.delete(upper.resolve("opaque/older"));
        }
        Files.writeString(upper.resolve("opaque/new"), "n");
        driver.commit("top", "unpack", Map.of());
        try (Mounted v = mount(driver.view("v", "top", Map.of()))) {
            assertEquals("k", read(v.resolve("keep")));
            assertFalse(Files.exists(v.resolve("gone"), LinkOption.NOFOLLOW_LINKS));
            try (var entries = Files.list(v.resolve("opaque"))) {
                assertEquals(List.of("new"), entries.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @Test
    void threeCommittedLayersStackInOrder() throws IOException {
        commitLayer("l1", null, Map.of("a", "1", "b", "1", "c", "1"));
        commitLayer("l2", "l1", Map.of("b", "2", "c", "2"));
        commitLayer("l3", "l2", Map.of("c", "3", "d", "3"));
        try (Mounted v = mount(driver.view("v3", "l3", Map.of()))) {
            assertEquals(List.of("1", "2", "3", "3"),
                    List.of(read(v.resolve("a")), read(v.resolve("b")), read(v.resolve("c")), read(v.resolve("d"))));
        }
        try (Mounted v = mount(driver.view("v2", "l2", Map.of()))) {
            assertEquals("2", read(v.resolve("c")));
            assertFalse(Files.exists(v.resolve("d")), "a lower view must not see an upper layer");
        }
        try (Mounted m = mount(driver.prepare("work", "l3", Map.of()))) {
            assertEquals("1", read(m.resolve("a")));
            Files.writeString(m.resolve("a"), "changed");
            assertEquals("changed", read(m.resolve("a")));
        }
        assertEquals("l2", driver.stat("l3").parent());
        assertEquals("l1", driver.stat("l2").parent());
        assertNull(driver.stat("l1").parent());
    }

    @Test
    void viewIsReadOnly() throws IOException {
        commitLayer("base", null, Map.of("file", "x"));
        commitLayer("top", "base", Map.of("other", "y"));
        for (String parent : List.of("base", "top")) { // one layer, and a stack of two
            try (Mounted v = mount(driver.view("view-of-" + parent, parent, Map.of()))) {
                assertEquals("x", read(v.resolve("file")));
                assertThrows(IOException.class, () -> Files.writeString(v.resolve("new"), "n"));
                assertThrows(IOException.class, () -> Files.writeString(v.resolve("file"), "changed"));
                assertThrows(IOException.class, () -> Files.delete(v.resolve("file")));
                assertEquals("x", read(v.resolve("file")));
            }
        }
        assertKeel(ErrorKind.CONFLICT, () -> driver.upperDir("view-of-base"));
    }

    @Test
    void writesInAnActiveSnapshotStayInIt() throws IOException {
        commitLayer("base", null, Map.of("file", "original"));
        try (Mounted a = mount(driver.prepare("a", "base", Map.of()));
                Mounted b = mount(driver.prepare("b", "base", Map.of()))) {
            Files.writeString(a.resolve("file"), "changed by a");
            Files.writeString(a.resolve("new"), "a");
            assertEquals("original", read(b.resolve("file")), "a sibling must not see a's writes");
            assertFalse(Files.exists(b.resolve("new")));
        }
        try (Mounted v = mount(driver.view("v", "base", Map.of()))) {
            assertEquals("original", read(v.resolve("file")), "the parent must not see a's writes");
        }
    }

    @Test
    void upperDirIsWhereTheActiveSnapshotsOwnChangesLive() throws IOException {
        commitLayer("base", null, Map.of("lower", "l"));
        driver.prepare("a", "base", Map.of());
        Path upper = driver.upperDir("a");
        assertTrue(Files.isDirectory(upper));
        Files.writeString(upper.resolve("unpacked"), "u");
        try (Mounted m = mount(driver.mounts("a"))) {
            assertEquals("u", read(m.resolve("unpacked")));
            assertEquals("l", read(m.resolve("lower")));
            Files.writeString(m.resolve("written"), "w");
        }
        assertEquals("w", read(upper.resolve("written")), "a write through the mount lands in upperDir");
        assertKeel(ErrorKind.CONFLICT, () -> driver.upperDir("base"));
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.upperDir("missing"));
    }

    // ---- changes (keel diff, keel commit)

    /** The changes as {@code docker diff} prints them: "A /new", one per line. */
    private List<String> diff(String key) {
        assumeTrue(driver instanceof SnapshotChanges, "the driver does not report changes");
        return ((SnapshotChanges) driver).changes(key).stream().map(c -> c.kind().letter() + " " + c.path()).toList();
    }

    @Test
    void changesMadeThroughTheMountAreListedAsDockerDiffDoes() throws IOException {
        commitLayer("base", null, Map.of("keep", "k", "gone", "g", "etc/conf", "old", "etc/other", "o",
                "dir/inner", "i", "dir/sub/deep", "d", "re/old", "o"));
        try (Mounted m = mount(driver.prepare("a", "base", Map.of()))) {
            Files.writeString(m.resolve("new"), "n");
            Files.writeString(m.resolve("etc/conf"), "changed");
            Files.delete(m.resolve("gone"));
            TestMounts.deleteTree(m.resolve("dir"));
            TestMounts.deleteTree(m.resolve("re"));
            Files.createDirectory(m.resolve("re"));
            Files.writeString(m.resolve("re/fresh"), "f");
            Files.createSymbolicLink(m.resolve("escape"), Path.of("../../../etc"));
        }
        List<String> changes = new ArrayList<>(diff("a"));
        // a copy lists what the new directory lost, an overlay hides it with an opaque directory
        changes.remove("D /re/old");
        assertEquals(List.of("D /dir", "A /escape", "C /etc", "C /etc/conf", "D /gone", "A /new", "C /re",
                "A /re/fresh"), changes);
        assertEquals(diff("a"), diff("a"), "the walk changes nothing");
        driver.commit("top", "a", Map.of());
        assertEquals(changes, diff("top").stream().filter(c -> !c.equals("D /re/old")).toList(),
                "a committed snapshot lists the same changes");
        assertEquals(List.of(), diff("base").stream().filter(c -> !c.startsWith("A ")).toList(),
                "a snapshot without parent only adds");
    }

    @Test
    void changesOfAnUntouchedSnapshotAreEmptyAndAViewHasNone() throws IOException {
        commitLayer("base", null, Map.of("file", "x", "dir/inner", "i"));
        try (Mounted m = mount(driver.prepare("a", "base", Map.of()))) {
            assertEquals("x", read(m.resolve("file")));
        }
        assertEquals(List.of(), diff("a"));
        driver.view("v", "base", Map.of());
        assertKeel(ErrorKind.CONFLICT, () -> diff("v"));
        assertKeel(ErrorKind.NOT_FOUND, () -> diff("missing"));
    }

    @Test
    void changesOfAnOpaqueDirectoryUnpackedInTheDriversStyle() throws IOException {
        assumeTrue(driver instanceof SnapshotChanges, "the driver does not report changes (an optional capability)");
        commitLayer("base", null, Map.of("opaque/old", "o", "gone", "g"));
        driver.prepare("unpack", "base", Map.of());
        Path upper = driver.upperDir("unpack");
        if (driver.whiteoutStyle() == WhiteoutStyle.OVERLAY) {
            TestMounts.whiteout(upper.resolve("gone"));
            Files.createDirectories(upper.resolve("opaque"));
            TestMounts.setXattr(upper.resolve("opaque"), "trusted.overlay.opaque", "y");
        } else {
            Files.delete(upper.resolve("gone"));
            Files.delete(upper.resolve("opaque/old"));
        }
        Files.writeString(upper.resolve("opaque/new"), "n");
        List<keel.api.layer.Change> changes = ((SnapshotChanges) driver).changes("unpack");
        assertEquals(List.of("/gone", "/opaque", "/opaque/new"), changes.stream().map(keel.api.layer.Change::path)
                .filter(p -> !p.equals("/opaque/old")).toList());
        assertEquals(keel.api.layer.Change.Kind.DELETED, changes.get(0).kind());
    }

    // ---- remove

    @Test
    void removeOfAParentIsRefusedNamingItsChildren() throws IOException {
        commitLayer("base", null, Map.of("f", "1"));
        driver.prepare("child-active", "base", Map.of());
        driver.view("child-view", "base", Map.of());
        KeelException e = assertKeel(ErrorKind.CONFLICT, () -> driver.remove("base"));
        assertTrue(e.getMessage().contains("child-active") && e.getMessage().contains("child-view"), e.getMessage());
        assertEquals(SnapshotKind.COMMITTED, driver.stat("base").kind(), "a refused remove changes nothing");
        try (Mounted v = mount(driver.mounts("child-view"))) {
            assertEquals("1", read(v.resolve("f")));
        }
    }

    @Test
    void removeOfACommittedLeafWorksAndThenItsParentCanGo() throws IOException {
        commitLayer("base", null, Map.of("f", "1"));
        commitLayer("leaf", "base", Map.of("g", "2"));
        driver.remove("leaf");
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.stat("leaf"));
        assertEquals(List.of("base"), keys());
        driver.remove("base");
        assertEquals(List.of(), driver.list());
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.remove("base"));
    }

    @Test
    void activeSnapshotsAndViewsCanBeRemoved() throws IOException {
        commitLayer("base", null, Map.of("f", "1"));
        driver.prepare("a", "base", Map.of());
        driver.view("v", "base", Map.of());
        driver.prepare("empty", null, Map.of());
        driver.remove("a");
        driver.remove("v");
        driver.remove("empty");
        assertEquals(List.of("base"), keys());
        driver.prepare("a", "base", Map.of()); // the key is free again
        assertEquals(SnapshotKind.ACTIVE, driver.stat("a").kind());
    }

    // ---- errors

    @Test
    void commitNeedsAnActiveSnapshotAndAFreeName() throws IOException {
        commitLayer("base", null, Map.of());
        driver.prepare("a", "base", Map.of());
        driver.view("v", "base", Map.of());
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.commit("x", "missing", Map.of()));
        assertKeel(ErrorKind.CONFLICT, () -> driver.commit("x", "v", Map.of()));
        assertKeel(ErrorKind.CONFLICT, () -> driver.commit("x", "base", Map.of()));
        assertKeel(ErrorKind.ALREADY_EXISTS, () -> driver.commit("base", "a", Map.of()));
        assertKeel(ErrorKind.ALREADY_EXISTS, () -> driver.commit("a", "a", Map.of()));
        assertEquals(SnapshotKind.ACTIVE, driver.stat("a").kind(), "a refused commit changes nothing");
        driver.commit("x", "a", Map.of());
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.stat("a"));
        assertEquals(SnapshotKind.COMMITTED, driver.stat("x").kind());
        assertEquals("base", driver.stat("x").parent());
    }

    @Test
    void aParentMustExistAndBeCommitted() throws IOException {
        driver.prepare("a", null, Map.of());
        driver.view("v", null, Map.of());
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.prepare("b", "missing", Map.of()));
        assertKeel(ErrorKind.CONFLICT, () -> driver.prepare("b", "a", Map.of()));
        assertKeel(ErrorKind.CONFLICT, () -> driver.view("b", "v", Map.of()));
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.stat("b"));
        assertEquals(List.of("a", "v"), keys());
    }

    @Test
    void aKeyInUseIsRefused() throws IOException {
        commitLayer("base", null, Map.of());
        driver.prepare("a", null, Map.of());
        assertKeel(ErrorKind.ALREADY_EXISTS, () -> driver.prepare("a", null, Map.of()));
        assertKeel(ErrorKind.ALREADY_EXISTS, () -> driver.view("a", "base", Map.of()));
        assertKeel(ErrorKind.ALREADY_EXISTS, () -> driver.prepare("base", "base", Map.of()));
        assertEquals(2, driver.list().size());
    }

    @Test
    void malformedKeysAreRefusedBeforeAnythingIsMade() throws IOException {
        commitLayer("base", null, Map.of());
        List<String> bad = new ArrayList<>(List.of("", ".", "..", "../x", "a/b", "/abs", "a\0b", "x\ny", " lead",
                "-option", ".hidden", "tab\t", "wild*", "ü", "a b"));
        bad.add("k".repeat(256));
        for (String key : bad) {
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.prepare(key, null, Map.of()));
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.view(key, "base", Map.of()));
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.prepare("ok", key, Map.of()));
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.stat(key));
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.remove(key));
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.mounts(key));
            assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.commit(key, "base", Map.of()));
        }
        assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.prepare(null, null, Map.of()));
        assertKeel(ErrorKind.INVALID_ARGUMENT, () -> driver.prepare("ok", null, Map.of("big", "v".repeat(5000))));
        assertEquals(List.of("base"), keys(), "nothing was made");
        // the grammar admits what the kernel uses: chain ids, container ids
        String chainId = "sha256:" + "0123456789abcdef".repeat(4);
        driver.prepare(chainId, "base", Map.of());
        driver.prepare("ctr-1.rootfs_2@x+y=z", null, Map.of());
        assertEquals(3, driver.list().size());
    }

    // ---- metadata

    @Test
    void statAndListDescribeKindParentLabelsAndCreatedTime() throws IOException {
        Instant before = Instant.now();
        driver.prepare("a", null, Map.of("owner", "test", "odd=key:", "line\nbreak \u00e9 \0"));
        driver.commit("base", "a", Map.of("layer", "1"));
        driver.prepare("b", "base", Map.of("purpose", "container"));
        driver.view("v", "base", null);
        Instant after = Instant.now();

        Snapshot base = driver.stat("base");
        assertEquals(new Snapshot("base", null, SnapshotKind.COMMITTED, base.created(), Map.of("layer", "1")), base);
        Snapshot b = driver.stat("b");
        assertEquals(new Snapshot("b", "base", SnapshotKind.ACTIVE, b.created(), Map.of("purpose", "container")), b);
        Snapshot v = driver.stat("v");
        assertEquals(new Snapshot("v", "base", SnapshotKind.VIEW, v.created(), Map.of()), v);
        for (Snapshot s : List.of(base, b, v)) {
            assertFalse(s.created().isBefore(before) || s.created().isAfter(after), s + " created out of range");
        }
        assertEquals(sorted(List.of(base, b, v)), sorted(driver.list()));

        driver.prepare("labels", null, Map.of("odd=key:", "line\nbreak \u00e9 \0"));
        assertEquals(Map.of("odd=key:", "line\nbreak \u00e9 \0"), driver.stat("labels").labels());
    }

    @Test
    void snapshotsSurviveANewInstance() throws Exception {
        commitLayer("base", null, Map.of("f", "base"));
        driver.prepare("a", "base", Map.of("k", "v"));
        Files.writeString(driver.upperDir("a").resolve("written"), "before the restart");
        List<Mount> viewMounts = driver.view("v", "base", Map.of());
        List<Snapshot> before = driver.list();
        reopen();
        assertEquals(sorted(before), sorted(driver.list()));
        assertEquals(viewMounts, driver.mounts("v"));
        try (Mounted v = mount(driver.mounts("v"))) {
            assertEquals("base", read(v.resolve("f")));
        }
        driver.commit("top", "a", Map.of());
        try (Mounted v = mount(driver.view("v2", "top", Map.of()))) {
            assertEquals("base", read(v.resolve("f")));
            assertEquals("before the restart", read(v.resolve("written")));
        }
    }

    @Test
    void usageCountsTheSnapshotsBytesAndInodes() throws IOException {
        driver.prepare("a", null, Map.of());
        Usage empty = driver.usage("a");
        byte[] blob = new byte[1 << 20];
        new Random(42).nextBytes(blob);
        Path upper = driver.upperDir("a");
        Files.write(upper.resolve("blob"), blob);
        Files.createDirectories(upper.resolve("d/e"));
        Files.writeString(upper.resolve("d/e/small"), "s");
        Files.createLink(upper.resolve("d/blob-link"), upper.resolve("blob"));
        Usage used = driver.usage("a");
        assertTrue(used.bytes() >= empty.bytes() + blob.length, () -> "usage " + used + " misses a 1 MiB file");
        assertTrue(used.bytes() < empty.bytes() + 2L * blob.length + (1 << 16),
                () -> "usage " + used + " counts a hard-linked file twice");
        assertEquals(empty.inodes() + 4, used.inodes(), "blob, d, d/e, d/e/small (the link is the same inode)");
        driver.commit("c", "a", Map.of());
        assertEquals(used, driver.usage("c"));
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.usage("a"));
    }

    @Test
    void mountsOfAKeyRepeatWhatPrepareReturned() throws IOException {
        commitLayer("l1", null, Map.of("f", "1"));
        commitLayer("l2", "l1", Map.of("g", "2"));
        List<Mount> active = driver.prepare("a", "l2", Map.of());
        List<Mount> view = driver.view("v", "l2", Map.of());
        List<Mount> single = driver.view("v1", "l1", Map.of());
        assertEquals(active, driver.mounts("a"));
        assertEquals(view, driver.mounts("v"));
        assertEquals(single, driver.mounts("v1"));
        assertKeel(ErrorKind.CONFLICT, () -> driver.mounts("l1"));
        assertKeel(ErrorKind.NOT_FOUND, () -> driver.mounts("missing"));
        for (List<Mount> mounts : List.of(active, view, single)) {
            for (Mount m : mounts) {
                assertTrue(m.destination() == null || m.destination().isEmpty() || m.destination().equals("/"),
                        "a snapshot's mounts make the root: " + m);
            }
        }
    }

    @Test
    void describeNamesTheBackingFilesystemAndRoot() throws IOException {
        commitLayer("base", null, Map.of());
        driver.prepare("a", "base", Map.of());
        Map<String, String> facts = driver.describe();
        assertNotNull(facts.get("backing.filesystem"), facts.toString());
        assertTrue(facts.values().stream().anyMatch(v -> v.startsWith(root.toString())), "root not named: " + facts);
    }

    // ---- scale, hostile content, crashes, concurrency

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aChainOf128LayersMountsAndShowsTheBottomLayer() throws IOException {
        String parent = null;
        for (int i = 0; i < 128; i++) {
            String name = "layer-" + i;
            commitLayer(name, parent, Map.of("from-" + i, Integer.toString(i), "top", Integer.toString(i)));
            parent = name;
        }
        List<Mount> view = driver.view("v", parent, Map.of());
        try (Mounted v = mount(view)) {
            assertEquals("0", read(v.resolve("from-0")), "the bottom layer is visible");
            assertEquals("127", read(v.resolve("top")), "the top layer wins");
            try (var entries = Files.list(v.path())) {
                assertEquals(129, entries.count());
            }
        }
        try (Mounted m = mount(driver.prepare("a", parent, Map.of()))) {
            assertEquals("0", read(m.resolve("from-0")));
            Files.writeString(m.resolve("from-0"), "changed");
            assertEquals("changed", read(m.resolve("from-0")));
        }
        assertEquals("layer-0", driver.stat("layer-1").parent());
    }

    @Test
    void hostileTreeContentIsCarriedAsItIsNeverFollowed() throws IOException {
        driver.prepare("evil", null, Map.of());
        Path upper = driver.upperDir("evil");
        Files.createSymbolicLink(upper.resolve("root-link"), Path.of("/"));
        Files.createSymbolicLink(upper.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(upper.resolve("dangling"), Path.of("../../../../nowhere"));
        Files.createSymbolicLink(upper.resolve("loop"), Path.of("loop"));
        Files.createDirectories(upper.resolve("..x/y"));
        driver.commit("evil-layer", "evil", Map.of());
        driver.prepare("child", "evil-layer", Map.of());
        try (Mounted m = mount(driver.mounts("child"))) {
            assertEquals(Path.of("/"), Files.readSymbolicLink(m.resolve("root-link")));
            assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(m.resolve("passwd")));
            assertEquals(Path.of("../../../../nowhere"), Files.readSymbolicLink(m.resolve("dangling")));
            assertTrue(Files.isSymbolicLink(m.resolve("loop")));
        }
        Path childUpper = driver.upperDir("child");
        assertFalse(Files.isDirectory(childUpper.resolve("root-link"), LinkOption.NOFOLLOW_LINKS),
                "a symlink to / was followed and copied as a directory");
        driver.remove("child");
        driver.remove("evil-layer");
        assertTrue(Files.exists(Path.of("/etc/passwd")), "removing a snapshot followed a symlink out of it");
    }

    @Test
    void crashDebrisIsRemovedWhenTheNextInstanceStarts() throws Exception {
        commitLayer("base", null, Map.of("f", "1"));
        driver.prepare("a", "base", Map.of());
        driver.view("v", "base", Map.of());
        List<Snapshot> before = driver.list();
        List<Path> debris = leaveCrashDebris(root, driver);
        assertFalse(debris.isEmpty());
        for (Path p : debris) {
            assertTrue(Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " was not made");
        }
        close(driver); // as a crash: the new instance finds the debris
        driver = open(root);
        for (Path p : debris) {
            assertFalse(Files.exists(p, LinkOption.NOFOLLOW_LINKS), "crash debris " + p + " survived a restart");
        }
        assertEquals(sorted(before), sorted(driver.list()), "the debris of a crash is never listed");
        try (Mounted m = mount(driver.prepare("after", "base", Map.of()))) {
            assertEquals("1", read(m.resolve("f")));
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentPreparesOfDifferentKeysAllSucceed() throws Exception {
        commitLayer("base", null, Map.of("f", "base"));
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Mount>>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = "c" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Mount> mounts = driver.prepare(key, "base", Map.of("i", key));
                    Files.writeString(driver.upperDir(key).resolve("mine"), key);
                    return mounts;
                }));
            }
            start.countDown();
            Map<String, List<Mount>> mounts = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                mounts.put("c" + i, results.get(i).get(2, TimeUnit.MINUTES));
            }
            assertEquals(n + 1, driver.list().size());
            assertEquals(n, mounts.values().stream().distinct().count(), "two snapshots share mounts");
            for (Map.Entry<String, List<Mount>> e : mounts.entrySet()) {
                try (Mounted m = mount(e.getValue())) {
                    assertEquals(e.getKey(), read(m.resolve("mine")));
                    assertEquals("base", read(m.resolve("f")));
                }
            }

            // one key, many callers: exactly one wins, the others learn it exists
            CountDownLatch again = new CountDownLatch(1);
            List<Future<ErrorKind>> race = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                race.add(pool.submit((Callable<ErrorKind>) () -> {
                    again.await();
                    try {
                        driver.prepare("same", "base", Map.of());
                        return null;
                    } catch (KeelException e) {
                        return e.kind();
                    }
                }));
            }
            again.countDown();
            List<ErrorKind> outcomes = new ArrayList<>();
            for (Future<ErrorKind> f : race) {
                outcomes.add(f.get(2, TimeUnit.MINUTES));
            }
            assertEquals(1, Collections.frequency(outcomes, null), outcomes.toString());
            assertEquals(7, Collections.frequency(outcomes, ErrorKind.ALREADY_EXISTS), outcomes.toString());

            // removes of different keys, together
            List<Future<?>> removes = new ArrayList<>();
            for (String key : mounts.keySet()) {
                removes.add(pool.submit(() -> {
                    driver.remove(key);
                    return null;
                }));
            }
            for (Future<?> f : removes) {
                f.get(2, TimeUnit.MINUTES);
            }
            assertEquals(List.of("base", "same"), keys());
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                fail("prepare threads did not finish");
            }
        }
    }

    @Test
    void aClosedInstanceRefusesCalls() throws Exception {
        assumeTrue(driver instanceof AutoCloseable, "the driver has no close()");
        driver.prepare("a", null, Map.of());
        close(driver);
        assertKeel(ErrorKind.UNAVAILABLE, () -> driver.list());
        assertKeel(ErrorKind.UNAVAILABLE, () -> driver.prepare("b", null, Map.of()));
        driver = open(root);
        assertEquals(List.of("a"), keys());
    }
}
