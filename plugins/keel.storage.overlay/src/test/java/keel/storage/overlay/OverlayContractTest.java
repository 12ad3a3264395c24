package keel.storage.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import keel.api.runtime.Mount;

import org.junit.jupiter.api.Test;

import keel.api.storage.StorageDriver;
import keel.storage.base.Filesystems;
import keel.storage.base.Snapshotter;
import keel.storage.testsuite.StorageDriverContract;

/** The contract suite against the overlay driver on this machine's disk (the module's target/). */
class OverlayContractTest extends StorageDriverContract {

    @Override
    protected StorageDriver open(Path root) {
        return new Snapshotter(root, new OverlayLayout(), Duration.ofSeconds(5));
    }

    @Override
    protected Path scratch() throws Exception {
        return Files.createDirectories(Path.of("target", "storage-contract").toAbsolutePath());
    }

    @Override
    protected List<Path> leaveCrashDebris(Path root, StorageDriver driver) throws Exception {
        return OverlayCrash.leave(root.resolve("storage.overlay"));
    }

    /** The 128-layer contract case, looked at closely: the page limit is hit and the relative form mounts. */
    @Test
    void a128LayerChainMountsThroughRelativeLowerdirs() throws Exception {
        String parent = null;
        for (int i = 0; i < 128; i++) {
            commitLayer("l" + i, parent, Map.of("f" + i, "x"));
            parent = "l" + i;
        }
        Mount active = driver.prepare("a", parent, Map.of()).get(0);
        String chdir = root.resolve("storage.overlay/fs").toString();
        assertTrue(active.options().contains("x-keel.chdir=" + chdir), active.options().toString());
        assertTrue(128 * (chdir.length() + 3) > OverlayLayout.MOUNT_DATA_LIMIT, "absolute paths would not fit");
        assertTrue(OverlayLayout.dataLength(active.options()) < OverlayLayout.MOUNT_DATA_LIMIT);
        try (Mounted m = mount(List.of(active))) {
            assertEquals("x", Files.readString(m.resolve("f0")));
            Files.writeString(m.resolve("new"), "n");
        }
        assertEquals("n", Files.readString(driver.upperDir("a").resolve("new")), "the relative upperdir is the snapshot's");
    }

    @Test
    void runsOnADisk() throws Exception {
        String type = Filesystems.type(scratch());
        assertFalse(type.equals("tmpfs") || type.equals("ramfs"), "this run is meant for a disk, found " + type);
    }
}
