package keel.storage.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.storage.Snapshot;

/** The metadata core without mounts: state layout, the home lock, unreadable records, failures. */
class SnapshotterTest {
    @TempDir
    Path root;

    private Snapshotter open() {
        return new Snapshotter(root, new PlainLayout(), Duration.ofMillis(300));
    }

    @Test
    void stateLivesUnderStorageDotIdInPrivateDirectories() throws IOException {
        try (Snapshotter s = open()) {
            s.prepare("a", null, Map.of());
            Path home = root.resolve("storage.plain");
            assertEquals(home, s.home());
            assertTrue(Files.isRegularFile(home.resolve("meta/1")));
            assertTrue(Files.isDirectory(home.resolve("fs/1")));
            // a block of ids reserved at once: the next prepares write no last-id
            assertEquals(String.valueOf(Snapshotter.ID_BLOCK), Files.readString(home.resolve("last-id")).trim());
            s.prepare("b", null, Map.of());
            assertEquals(String.valueOf(Snapshotter.ID_BLOCK), Files.readString(home.resolve("last-id")).trim());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(home)));
        }
    }

    @Test
    void aRelativeRootIsRefused() {
        KeelException e = assertThrows(KeelException.class, () -> new Snapshotter(Path.of("rel"), new PlainLayout()));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    void oneInstanceOwnsAHomeAndTheNextWaitsForItToClose() throws Exception {
        Snapshotter first = open();
        first.prepare("a", null, Map.of());
        // made while the first holds the home (a replacement bundle): ready at once, it takes the
        // home over at its first call, which waits for the first instance to close
        Snapshotter impatient = open();
        KeelException e = assertThrows(KeelException.class, impatient::list);
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("in use by another instance"), e.getMessage());
        impatient.close();

        Snapshotter next = new Snapshotter(root, new PlainLayout(), Duration.ofSeconds(10));
        CompletableFuture<List<Snapshot>> listed = CompletableFuture.supplyAsync(next::list);
        Thread.sleep(100);
        assertFalse(listed.isDone(), "the next instance must wait");
        first.prepare("b", null, Map.of()); // the first still serves meanwhile
        first.close();
        try (next) {
            assertEquals(List.of("a", "b"), listed.get(10, TimeUnit.SECONDS).stream().map(Snapshot::key).sorted()
                    .toList(), "the next instance sees what the first made, also after it was made");
            next.prepare("c", null, Map.of()); // above the block of ids the first reserved
            assertEquals(String.valueOf(Snapshotter.ID_BLOCK + 1), next.upperDir("c").getFileName().toString());
        }
    }

    @Test
    void idsAreNeverReusedAcrossRestarts() {
        try (Snapshotter s = open()) {
            s.prepare("a", null, Map.of());
            s.prepare("b", null, Map.of());
            s.remove("b");
        }
        try (Snapshotter s = open()) { // above the block reserved before: neither 1 nor the removed 2
            s.prepare("c", null, Map.of());
            assertEquals(String.valueOf(Snapshotter.ID_BLOCK + 1), s.upperDir("c").getFileName().toString());
        }
    }

    @Test
    void anUnreadableRecordIsNotListedItsFilesAreKeptAndDescribeSaysSo() throws IOException {
        try (Snapshotter s = open()) {
            s.prepare("base", null, Map.of());
            s.commit("base-c", "base", Map.of());
            s.prepare("child", "base-c", Map.of());
            s.prepare("other", null, Map.of());
        }
        Path meta = root.resolve("storage.plain/meta");
        Files.writeString(meta.resolve("1"), "garbage");
        Files.delete(root.resolve("storage.plain/last-id")); // lost: the ids on disk, readable or not, still count
        try (Snapshotter s = open()) {
            assertEquals(List.of("other"), s.list().stream().map(Snapshot::key).toList());
            String unreadable = s.describe().get("snapshots.unreadable");
            assertTrue(unreadable.contains("meta/1: no 'format'"), unreadable);
            assertTrue(unreadable.contains("meta/2: its parent 1 is missing or unreadable"), unreadable);
            assertTrue(Files.isDirectory(root.resolve("storage.plain/fs/1")), "an unreadable snapshot's files stay");
            assertTrue(Files.isDirectory(root.resolve("storage.plain/fs/2")));
            s.prepare("new", null, Map.of());
            assertEquals("4", s.upperDir("new").getFileName().toString(), "ids of unreadable records are not reused");
        }
    }

    @Test
    void aFailedCreateLeavesNothingAndTheKeyStaysFree() {
        PlainLayout layout = new PlainLayout();
        try (Snapshotter s = new Snapshotter(root, layout, Duration.ofMillis(300))) {
            layout.failNextCreate = new IOException("No space left on device");
            KeelException e = assertThrows(KeelException.class, () -> s.prepare("a", null, Map.of()));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("no space left on the filesystem of"), e.getMessage());
            assertFalse(Files.exists(root.resolve("storage.plain/fs/1")), "a failed create leaves no directory");
            assertFalse(Files.exists(root.resolve("storage.plain/meta/1")));
            layout.failNextCreate = new IOException("EIO");
            assertEquals(ErrorKind.INTERNAL, assertThrows(KeelException.class, () -> s.prepare("a", null, Map.of())).kind());
            s.prepare("a", null, Map.of());
            assertEquals(List.of("a"), s.list().stream().map(Snapshot::key).toList());
        }
    }

    @Test
    void aCommitKeepsTheIdSoChildrenNeedNoRewrite() throws IOException {
        try (Snapshotter s = open()) {
            s.prepare("a", null, Map.of("x", "1"));
            s.commit("c", "a", null);
            s.prepare("child", "c", null);
            assertEquals(Map.of(), s.stat("c").labels(), "a commit takes the labels given to it");
            assertTrue(Files.readString(root.resolve("storage.plain/meta/2")).contains("parent=1"));
        }
    }
}
