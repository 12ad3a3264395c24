package keel.storage.copy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.storage.StorageDriver;
import keel.storage.base.Filesystems;
import keel.storage.base.Snapshotter;
import keel.storage.testsuite.StorageDriverContract;

/** The contract suite against the copy driver on this machine's disk (the module's target/). */
class CopyContractTest extends StorageDriverContract {

    @Override
    protected StorageDriver open(Path root) {
        return new Snapshotter(root, new CopyLayout(), Duration.ofSeconds(5));
    }

    @Override
    protected Path scratch() throws Exception {
        return Files.createDirectories(Path.of("target", "storage-contract").toAbsolutePath());
    }

    @Override
    protected List<Path> leaveCrashDebris(Path root, StorageDriver driver) throws Exception {
        return CopyCrash.leave(root.resolve("storage.copy"));
    }

    @Test
    void runsOnADisk() throws Exception {
        String type = Filesystems.type(scratch());
        assertFalse(type.equals("tmpfs") || type.equals("ramfs"), "this run is meant for a disk, found " + type);
    }
}
