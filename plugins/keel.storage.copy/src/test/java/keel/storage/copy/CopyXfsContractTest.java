package keel.storage.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import keel.api.storage.StorageDriver;
import keel.storage.base.Snapshotter;
import keel.storage.testsuite.StorageDriverContract;

/**
 * The contract suite against the copy driver on XFS with reflink, where prepares clone extents
 * with FICLONE instead of copying. Skipped where mkfs.xfs (package xfsprogs) or loop devices are
 * missing.
 */
class CopyXfsContractTest extends StorageDriverContract {
    private static Path dir;
    private static Path xfs;

    @BeforeAll
    static void mountXfs() throws Exception {
        assumeTrue(XfsImage.available(), "needs root, /sbin/mkfs.xfs (xfsprogs) and loop devices");
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "xfs-");
        xfs = XfsImage.mount(dir);
    }

    @AfterAll
    static void unmountXfs() throws Exception {
        if (dir != null) {
            XfsImage.unmount(dir);
            Files.delete(dir);
        }
    }

    @Override
    protected StorageDriver open(Path root) {
        return new Snapshotter(root, new CopyLayout(), Duration.ofSeconds(5));
    }

    @Override
    protected Path scratch() {
        return xfs;
    }

    @Override
    protected List<Path> leaveCrashDebris(Path root, StorageDriver driver) throws Exception {
        return CopyCrash.leave(root.resolve("storage.copy"));
    }

    @Test
    void preparesCloneExtentsInsteadOfCopying() throws Exception {
        assertTrue(driver.describe().get("copy.reflink").startsWith("yes"), driver.describe().toString());
        driver.prepare("a", null, Map.of());
        Files.write(driver.upperDir("a").resolve("big"), new byte[8 << 20]);
        driver.commit("base", "a", Map.of());
        driver.prepare("child", "base", Map.of());
        Path source = driver.upperDir("child");
        assertEquals(8 << 20, Files.size(source.resolve("big")));
        TreeCopier.Result result = TreeCopier.copy(source, base.resolve("clone"), true);
        assertEquals(new TreeCopier.Result(1, 0), result, "the one file is cloned, not copied");
        keel.storage.base.FileTrees.delete(base.resolve("clone"));
    }
}
