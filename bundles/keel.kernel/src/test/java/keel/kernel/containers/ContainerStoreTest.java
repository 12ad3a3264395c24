package keel.kernel.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash leaves of a container's directory, as the store finds it at start. */
class ContainerStoreTest {

    @Test
    void aDirectoryWithAnEmptyOrMissingRecordIsDebrisAndRemoved(@TempDir Path dir) throws IOException {
        // a --rm container's record is written without fsync: after a machine crash it may be empty
        Path empty = Files.createDirectories(dir.resolve("a".repeat(64)));
        Files.createFile(empty.resolve("container.json"));
        Files.writeString(empty.resolve("hostname"), "aaaa\n");
        Path missing = Files.createDirectories(dir.resolve("b".repeat(64)));
        Files.writeString(missing.resolve("hosts"), "127.0.0.1 localhost\n");

        ContainerStore store = new ContainerStore(dir);

        assertFalse(Files.exists(empty), "a directory whose record is empty is removed");
        assertFalse(Files.exists(missing), "a directory without a record is removed");
        assertEquals(0, store.all().size());
        assertTrue(Files.isDirectory(dir));
    }
}
