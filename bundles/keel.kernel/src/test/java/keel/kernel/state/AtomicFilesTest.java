package keel.kernel.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesContentWholeAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("state.json");
        AtomicFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, "new content".getBytes(StandardCharsets.UTF_8));
        assertEquals("new content", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the target remains");
        }
    }

    @Test
    void aPrivateFileIsOwnerOnlyFromItsCreationAndStaysSo() throws Exception {
        Path target = dir.resolve("secrets.json");
        AtomicFiles.write(target, "readable".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        AtomicFiles.writePrivate(target, "secret".getBytes(StandardCharsets.UTF_8));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target)));
        assertEquals("secret", Files.readString(target));
    }

    @Test
    void aWriteForThisBootAlsoReplacesWholeAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("state.json");
        AtomicFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writeForThisBoot(target, "new content".getBytes(StandardCharsets.UTF_8));
        assertEquals("new content", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the target remains");
        }
    }

    @Test
    void aFailedWriteKeepsTheOldContentAndNamesTheFile() throws Exception {
        Path target = dir.resolve("state.json");
        AtomicFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
        // a directory where the temporary file must go: the write cannot happen
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked);
        Files.writeString(blocked.resolve("x"), "");
        Path impossible = blocked.resolve("x").resolve("state.json"); // parent is a regular file
        KeelException e = assertThrows(KeelException.class, () -> AtomicFiles.write(impossible, new byte[] {1}));
        assertTrue(e.getMessage().contains(impossible.toString()), e.getMessage());
        assertEquals("old", Files.readString(target));
    }

    @Test
    void startUpRemovesTheDebrisOfACrash() throws Exception {
        Files.writeString(dir.resolve(AtomicFiles.TEMP_PREFIX + "state.json-123-1"), "half");
        Files.writeString(dir.resolve("keep.json"), "{}");
        assertEquals(1, AtomicFiles.removeDebris(dir));
        assertTrue(Files.exists(dir.resolve("keep.json")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aStoreRoundTripsRecordsAndChecksNames() {
        StateStore store = new StateStore(dir);
        assertFalse(store.contains("pins"));
        store.put("pins", Map.of("layer", "alpha"));
        assertTrue(store.contains("pins"));
        Map<String, String> back = store.<Map<String, String>>get("pins",
                Json.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, String.class)).orElseThrow();
        assertEquals(Map.of("layer", "alpha"), back);
        for (String bad : new String[] {"../x", "a/b", "", ".tmp-x", "x\0y"}) {
            assertThrows(KeelException.class, () -> store.put(bad, Map.of()), bad);
        }
        store.remove("pins");
        assertFalse(store.contains("pins"));
    }

    @Test
    void aCorruptRecordIsAnErrorThatNamesTheFile() throws Exception {
        Files.write(dir.resolve("broken.json"), "{not json".getBytes(StandardCharsets.UTF_8));
        StateStore store = new StateStore(dir);
        KeelException e = assertThrows(KeelException.class,
                () -> store.get("broken", Json.MAPPER.constructType(Map.class)));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
        assertArrayEquals("{not json".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("broken.json")));
    }
}
