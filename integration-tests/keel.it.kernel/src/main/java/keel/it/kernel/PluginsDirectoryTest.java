package keel.it.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import keel.api.driver.DriverKind;
import keel.api.kernel.DriverService;
import keel.api.kernel.PluginInfo;
import keel.api.kernel.SystemService;

/**
 * The plugins directory, watched by fileinstall as on a live daemon: a bundle file dropped in is
 * installed, started and bound within 2 s; a newer file updates it in place; removing the file
 * uninstalls it.
 */
class PluginsDirectoryTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    DriverService drivers;

    @InjectService
    SystemService system;

    private Path dropped;

    @AfterEach
    void cleanUp() throws Exception {
        if (dropped != null && Files.deleteIfExists(dropped)) {
            TestDrivers.await("plugin removed", Duration.ofSeconds(5), () -> system.plugins().isEmpty());
        }
    }

    @Test
    void aDroppedBundleIsListedWithinTwoSecondsUpdatedInPlaceAndRemoved() throws Exception {
        Path plugins = Path.of(context.getProperty("keel.plugins"));
        Files.createDirectories(plugins);
        dropped = plugins.resolve("keel.testdriver.alpha.jar");
        Files.copy(TestDrivers.jar(context, "alpha"), dropped, StandardCopyOption.REPLACE_EXISTING);

        Duration listed = TestDrivers.await("the dropped driver bound", Duration.ofSeconds(2),
                () -> TestDrivers.bound(drivers, DriverKind.LAYER).map(b -> b.id().equals("alpha")).orElse(false));
        List<PluginInfo> plugins1 = system.plugins();
        assertEquals(1, plugins1.size(), plugins1.toString());
        assertEquals("keel.testdriver.alpha", plugins1.get(0).symbolicName());
        assertEquals(List.of("layer/alpha"), plugins1.get(0).drivers());
        System.out.println("plugins directory: dropped driver bound after " + listed.toMillis() + " ms");

        // a newer file replaces the bundle in place: same bundle id, new version
        long bundleId = plugins1.get(0).bundleId();
        Path next = plugins.resolve(".next.jar.tmp");
        try (var in = TestDrivers.withVersion(context, "alpha", "2.0.0")) {
            Files.copy(in, next);
        }
        Files.setLastModifiedTime(next, FileTime.from(Instant.now().plusSeconds(5)));
        Files.move(next, dropped, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        TestDrivers.await("the plugin updated to 2.0.0", Duration.ofSeconds(5),
                () -> TestDrivers.bound(drivers, DriverKind.LAYER).map(b -> b.bundleVersion().equals("2.0.0"))
                        .orElse(false));
        assertEquals(bundleId, system.plugins().get(0).bundleId(), "updated in place, not reinstalled");
        assertEquals("2.0.0", drivers.probe(DriverKind.LAYER).get("version"));

        Files.delete(dropped);
        dropped = null;
        TestDrivers.await("the plugin uninstalled", Duration.ofSeconds(5), () -> system.plugins().isEmpty());
        assertTrue(TestDrivers.bound(drivers, DriverKind.LAYER).isEmpty(), "no layer driver once removed");
    }
}
