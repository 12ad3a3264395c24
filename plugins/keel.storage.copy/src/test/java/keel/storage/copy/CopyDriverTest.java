package keel.storage.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.storage.Snapshot;
import keel.storage.base.Snapshotter;
import keel.storage.testsuite.TestMounts;

/** The DS component, a full disk, and a root on overlayfs (where the overlay driver cannot run). */
class CopyDriverTest {
    private Path base;

    @BeforeEach
    void scratch() throws Exception {
        assumeTrue(TestMounts.isRoot(), "mounts need root");
        base = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "driver-");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (base != null) {
            List<Path> left = TestMounts.mountPointsUnder(base);
            for (int i = left.size() - 1; i >= 0; i--) {
                TestMounts.detach(left.get(i));
            }
            TestMounts.deleteTree(base);
            assertEquals(List.of(), left, "mounts left behind");
        }
    }

    @Test
    void theComponentKeepsItsStateUnderKeelRoot() {
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty") && "keel.root".equals(args[0])) {
                        return base.toString();
                    }
                    return null;
                });
        CopyDriver driver = new CopyDriver(context);
        try {
            assertEquals(base.resolve("storage.copy"), driver.home());
            Map<String, String> facts = driver.describe();
            assertEquals("copy", facts.get("driver"));
            assertTrue(facts.get("copy.reflink").startsWith("no") || facts.get("copy.reflink").startsWith("yes"));
        } finally {
            driver.deactivate();
        }
    }

    @Test
    void aFullDiskIsAClearErrorLeavesNothingAndARetryWorksOnceSpaceIsFree() throws Exception {
        Path small = Files.createDirectory(base.resolve("small"));
        TestMounts.mountFilesystem("tmpfs", small, "size=8m");
        try {
            Path root = Files.createDirectory(small.resolve("root"));
            try (Snapshotter driver = new Snapshotter(root, new CopyLayout(), Duration.ofSeconds(5))) {
                driver.prepare("a", null, Map.of());
                Files.write(driver.upperDir("a").resolve("blob"), new byte[3 << 20]);
                driver.commit("base", "a", Map.of());
                Path filler = small.resolve("filler");
                Files.write(filler, new byte[3 << 20]);
                List<Snapshot> before = driver.list();

                KeelException e = assertThrows(KeelException.class, () -> driver.prepare("child", "base", Map.of()));
                assertEquals(ErrorKind.UNAVAILABLE, e.kind());
                assertTrue(e.getMessage().contains("no space left"), e.getMessage());
                assertEquals(before, driver.list());
                try (var entries = Files.list(root.resolve("storage.copy/fs"))) {
                    assertEquals(List.of("1"), entries.map(p -> p.getFileName().toString()).sorted().toList(),
                            "a failed copy leaves nothing: only base's tree (a commit keeps the id)");
                }

                Files.delete(filler);
                driver.prepare("child", "base", Map.of());
                assertEquals(3 << 20, Files.size(driver.upperDir("child").resolve("blob")));
            }
        } finally {
            TestMounts.unmount(small);
        }
    }

    @Test
    void itRunsWithItsRootOnOverlayfs() throws Exception {
        Path merged = Files.createDirectories(base.resolve("merged"));
        TestMounts.mountOverlay(Files.createDirectories(base.resolve("lower")),
                Files.createDirectories(base.resolve("upper")), Files.createDirectories(base.resolve("work")), merged);
        try {
            try (Snapshotter driver = new Snapshotter(merged, new CopyLayout(), Duration.ofSeconds(5))) {
                assertEquals("overlay", driver.describe().get("backing.filesystem"));
                driver.prepare("a", null, Map.of());
                Files.writeString(driver.upperDir("a").resolve("f"), "on overlay");
                driver.commit("c", "a", Map.of());
                Path target = Files.createDirectory(base.resolve("mnt"));
                TestMounts.mount(driver.prepare("b", "c", Map.of()), target);
                try {
                    assertEquals("on overlay", Files.readString(target.resolve("f")));
                } finally {
                    TestMounts.unmount(target);
                }
                assertFalse(driver.list().isEmpty());
            }
        } finally {
            TestMounts.unmount(merged);
        }
    }
}
