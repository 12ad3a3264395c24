package keel.kernel.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container's hostname, hosts and resolv.conf: written unsynced, made again at start when a crash lost them. */
class ContainerFilesTest {
    @TempDir
    Path dir;

    @Test
    void filesAMachineCrashEmptiedOrLostAreWrittenAgainAndIntactOnesAreLeftAlone() throws Exception {
        ContainerFiles.write(dir, "web", "none");
        String hosts = Files.readString(dir.resolve("hosts"));
        assertTrue(hosts.contains("127.0.1.1\tweb\n"), hosts);
        assertEquals("web\n", Files.readString(dir.resolve("hostname")));

        Files.writeString(dir.resolve("hosts"), "10.0.0.2\tweb peer\n"); // rewritten since (a user network)
        ContainerFiles.restoreIfLost(dir, "web", "none");
        assertEquals("10.0.0.2\tweb peer\n", Files.readString(dir.resolve("hosts")), "an intact file was replaced");

        Files.writeString(dir.resolve("hostname"), ""); // what a crash can leave of an unsynced file
        Files.delete(dir.resolve("resolv.conf"));
        ContainerFiles.restoreIfLost(dir, "web", "none");
        assertEquals("web\n", Files.readString(dir.resolve("hostname")));
        assertEquals(ContainerFiles.resolvConf("none"), Files.readString(dir.resolve("resolv.conf")));
        try (var left = Files.list(dir)) {
            assertEquals(3, left.count(), "temporary files are left");
        }
    }
}
