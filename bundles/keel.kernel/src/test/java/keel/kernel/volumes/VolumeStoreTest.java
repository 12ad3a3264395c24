package keel.kernel.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.volume.VolumeInfo;

class VolumeStoreTest {
    @TempDir
    Path dir;

    @Test
    void aVolumeIsItsRecordAndDataDirectoryAndOutlivesTheStore() throws Exception {
        VolumeStore store = new VolumeStore(dir);
        VolumeStore.Created made = store.create("data", Map.of("k", "v"));
        assertTrue(made.isNew());
        assertEquals(dir.resolve("data/_data").toString(), made.volume().mountpoint());
        assertEquals("local", made.volume().driver());
        assertTrue(Files.isDirectory(dir.resolve("data/_data")));
        Files.writeString(dir.resolve("data/_data/f"), "x");
        assertFalse(store.create("data", Map.of()).isNew(), "an existing volume is used as it is");

        VolumeStore again = new VolumeStore(dir);
        VolumeInfo read = again.get("data");
        assertEquals(made.volume(), read);
        assertEquals(List.of("data"), again.list().stream().map(VolumeInfo::name).toList());
        again.remove("data");
        assertFalse(Files.exists(dir.resolve("data")));
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(KeelException.class, () -> again.get("data")).kind());
    }

    @Test
    void startUpRemovesAVolumeWithoutRecordAndTemporaryDebris() throws Exception {
        Files.createDirectories(dir.resolve("half/_data"));
        new VolumeStore(dir).create("whole", Map.of());
        Files.writeString(dir.resolve("whole/.tmp-volume.json-1-1"), "{");
        VolumeStore store = new VolumeStore(dir);
        assertFalse(Files.exists(dir.resolve("half")));
        assertFalse(Files.exists(dir.resolve("whole/.tmp-volume.json-1-1")));
        assertEquals(List.of("whole"), store.list().stream().map(VolumeInfo::name).toList());
    }

    @Test
    void namesAreCheckedBeforeTheyBecomePaths() {
        VolumeStore store = new VolumeStore(dir);
        for (String bad : new String[] {"..", "a", "../x", "a/b", "-x", ".hidden", "x".repeat(129), "a\0b"}) {
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(KeelException.class, () -> store.create(bad, Map.of()),
                    bad).kind());
        }
        assertTrue(VolumeStore.anonymousName().matches("[0-9a-f]{64}"));
    }

    @Test
    void aVolumeInUseIsRefusedNamingTheContainerAndPruneKeepsIt() {
        VolumeStore store = new VolumeStore(dir);
        Volumes volumes = new Volumes(store, name -> name.equals("used") ? List.of("web") : List.of());
        volumes.createVolume("used", Map.of());
        volumes.createVolume("named", Map.of());
        String anonymous = volumes.createVolume(null, Map.of(VolumeInfo.ANONYMOUS, "")).name();
        KeelException e = assertThrows(KeelException.class, () -> volumes.removeVolume("used", false));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("in use by container web"), e.getMessage());
        volumes.removeVolume("missing", true);
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(KeelException.class,
                () -> volumes.removeVolume("missing", false)).kind());
        assertEquals(List.of(anonymous), volumes.pruneVolumes(false));
        assertEquals(List.of("named"), volumes.pruneVolumes(true));
        assertEquals(List.of("used"), volumes.volumes().stream().map(VolumeInfo::name).toList());
    }
}
