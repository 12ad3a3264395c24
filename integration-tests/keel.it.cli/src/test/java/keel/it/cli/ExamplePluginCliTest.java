package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A third-party driver's life in a running daemon, as PLUGINS.md describes it: the example storage
 * driver's jar (examples/keel.example.storage, built against keel.api only) is dropped into the
 * plugins directory, listed by {@code keel drivers}, chosen with {@code keel swap}, runs a
 * container from an image; then its jar is removed and the daemon falls back to its own driver.
 */
class ExamplePluginCliTest {

    @Test
    void aDroppedInStorageDriverIsListedChosenUsedAndRemoved() throws Exception {
        Path base = Path.of(System.getProperty("keel.it.tmp")).resolve("example-plugin");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Path tar = base.resolve("busybox.tar.gz");
        assertEquals(0, Keel.exec(List.of("tar", "-C", rootfs.toString(), "-czf", tar.toString(), ".")).code());
        Path jar = Path.of(System.getProperty("keel.it.example.storage"));
        assertTrue(Files.isRegularFile(jar), "build examples/keel.example.storage first: " + jar);

        try (Keel keel = new Keel("example-plugin")) {
            assertEquals(0, keel.keel("import", tar.toString(), "busybox:example").code());
            Path dropped = keel.root.resolve("plugins/keel.example.storage.jar");
            Files.copy(jar, dropped);
            DaemonLifecycleTest.waitFor(() -> driverLine(keel, "storage\\s+example\\s+standby.*"),
                    "the example driver standing by (ranked below overlay)");
            assertTrue(keel.keel("plugins").out().contains("keel.example.storage"));

            Keel.Result swap = keel.keel("swap", "storage", "example");
            assertEquals(0, swap.code(), swap.toString());
            assertTrue(driverLine(keel, "storage\\s+example\\s+bound.*"), keel.keel("drivers").out());
            Keel.Result run = keel.keel("run", "--rm", "--network", "none", "busybox:example", "/bin/sh", "-c",
                    "echo written > /new && cat /new && cat /etc/passwd | head -1");
            assertEquals(0, run.code(), run.toString());
            assertEquals("written\nroot:x:0:0:root:/root:/bin/sh\n", run.out());
            assertTrue(records(keel.root.resolve("storage.example/meta")) > 0,
                    "the image's layer is a snapshot of the example driver");

            Files.delete(dropped);
            DaemonLifecycleTest.waitFor(() -> !keel.keel("drivers").out().contains("example"), "the plugin's removal");
            assertTrue(driverLine(keel, "storage\\s+overlay\\s+bound.*"), "the daemon falls back to its own driver");
            Keel.Result after = keel.keel("run", "--rm", "--network", "none", "busybox:example", "echo", "back");
            assertEquals("back\n", after.out(), after.toString());
            assertEquals(0, keel.keel("swap", "--auto", "storage").code());
        }
    }

    private static boolean driverLine(Keel keel, String regex) throws Exception {
        return keel.keel("drivers").out().lines().anyMatch(l -> l.matches(regex));
    }

    private static long records(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
