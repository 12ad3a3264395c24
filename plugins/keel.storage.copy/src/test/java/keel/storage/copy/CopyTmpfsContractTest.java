package keel.storage.copy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import keel.api.storage.StorageDriver;
import keel.storage.base.Snapshotter;
import keel.storage.testsuite.StorageDriverContract;
import keel.storage.testsuite.TestMounts;

/** The contract suite against the copy driver on a tmpfs mounted for it. */
class CopyTmpfsContractTest extends StorageDriverContract {
    private static Path tmpfs;

    @BeforeAll
    static void mountTmpfs() throws Exception {
        tmpfs = TestMounts.mountScratchTmpfs();
    }

    @AfterAll
    static void unmountTmpfs() throws Exception {
        TestMounts.removeScratch(tmpfs);
    }

    @Override
    protected StorageDriver open(Path root) {
        return new Snapshotter(root, new CopyLayout(), Duration.ofSeconds(5));
    }

    @Override
    protected Path scratch() {
        return tmpfs;
    }

    @Override
    protected List<Path> leaveCrashDebris(Path root, StorageDriver driver) throws Exception {
        return CopyCrash.leave(root.resolve("storage.copy"));
    }
}
