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
            assertEquals(String.valueOf(Snapshotter.ID_BLOCK), Files.readString(home.resolve("last-id")).trim(),
                    "the first prepare reserves a block of ids");
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
        KeelException e = assertThrows(KeelException.class, this::open);
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("in use by another instance"), e.getMessage());

        CompletableFuture<Snapshotter> second = CompletableFuture.supplyAsync(
                () -> new Snapshotter(root, new PlainLayout(), Duration.ofSeconds(10)));
        Thread.sleep(100);
        assertFalse(second.isDone(), "the second instance must wait");
        first.close();
        try (Snapshotter next = second.get(10, TimeUnit.SECONDS)) {
            assertEquals(List.of(), next.list());
        }
    }

    @Test
    void idsAreNeverReusedAcrossRestarts() {
        try (Snapshotter s = open()) {
            s.prepare("a", null, Map.of());
            s.prepare("b", null, Map.of());
            s.remove("b");
        }
        try (Snapshotter s = open()) {
            s.prepare("c", null, Map.of());
            // after the block of ids the first instance reserved, so neither 2 (removed) nor one it could hand out
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
        try (Snapshotter s = open()) {
            assertEquals(List.of("other"), s.list().stream().map(Snapshot::key).toList());
            String unreadable = s.describe().get("snapshots.unreadable");
            assertTrue(unreadable.contains("meta/1: no 'format'"), unreadable);
            assertTrue(unreadable.contains("meta/2: its parent 1 is missing or unreadable"), unreadable);
            assertTrue(Files.isDirectory(root.resolve("storage.plain/fs/1")), "an unreadable snapshot's files stay");
            assertTrue(Files.isDirectory(root.resolve("storage.plain/fs/2")));
            s.prepare("new", null, Map.of());
            assertTrue(Long.parseLong(s.upperDir("new").getFileName().toString()) > 3,
                    "ids of unreadable records are not reused");
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
