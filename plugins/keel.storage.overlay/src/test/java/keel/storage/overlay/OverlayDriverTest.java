package keel.storage.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.storage.testsuite.TestMounts;

/** The DS component: where its state goes, and its activation failure where overlayfs cannot work. */
class OverlayDriverTest {
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
            left.forEach(TestMounts::detach);
            TestMounts.deleteTree(base);
            assertEquals(List.of(), left, "mounts left behind");
        }
    }

    static BundleContext context(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(OverlayDriverTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return properties.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theComponentKeepsItsStateUnderKeelRoot() {
        OverlayDriver driver = new OverlayDriver(context(Map.of("keel.root", base.toString())));
        try {
            assertEquals(base.resolve("storage.overlay"), driver.home());
            assertEquals("overlay", driver.describe().get("driver"));
            driver.prepare("a", null, Map.of());
            assertTrue(Files.isDirectory(base.resolve("storage.overlay/meta")));
        } finally {
            driver.deactivate();
        }
    }

    @Test
    void activationFailsWithTheReasonWhereOverlayfsDoesNotWork() throws Exception {
        // an overlay cannot be the upper layer of another: keel.root on an overlayfs
        Path lower = Files.createDirectories(base.resolve("lower"));
        Path upper = Files.createDirectories(base.resolve("upper"));
        Path work = Files.createDirectories(base.resolve("work"));
        Path merged = Files.createDirectories(base.resolve("merged"));
        TestMounts.mountOverlay(lower, upper, work, merged);
        try {
            KeelException e = assertThrows(KeelException.class,
                    () -> new OverlayDriver(context(Map.of("keel.root", merged.toString()))));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("overlayfs does not work in " + merged.resolve("storage.overlay")),
                    e.getMessage());
            assertTrue(e.getMessage().contains("(on overlay)"), e.getMessage());
            assertTrue(e.getMessage().contains("copy storage driver"), e.getMessage());
            assertEquals(List.of(merged), TestMounts.mountPointsUnder(base), "the probe's mount is gone");
            assertTrue(Files.notExists(merged.resolve("storage.overlay/.probe")), "the probe's files are gone");
        } finally {
            TestMounts.unmount(merged);
        }
    }
}
