package keel.cgroup.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;

class ControlFilesTest {
    private static final Path PIDS_V1 = Path.of("/sys/fs/cgroup/pids");

    @Test
    void aFileReadAfterItsCgroupWasRemovedIsGoneNotAnError() throws IOException {
        assumeTrue(Files.exists(PIDS_V1.resolve("tasks")), "NO cgroup v1 pids hierarchy at " + PIDS_V1
                + ": the ENODEV case cannot be tested on this host (skipped, not passed)");
        Path cgroup = PIDS_V1.resolve("keel-controlfiles-test-" + ProcessHandle.current().pid());
        Files.createDirectory(cgroup);
        IOException caught;
        try (FileChannel open = FileChannel.open(cgroup.resolve("pids.max"))) {
            Files.delete(cgroup);
            caught = assertThrows(IOException.class, () -> open.read(ByteBuffer.allocate(64)));
        } finally {
            Files.deleteIfExists(cgroup);
        }
        assertTrue(ControlFiles.isGone(caught), "the kernel's error for a removed cgroup: " + caught);
        assertEquals(Optional.empty(), ControlFiles.read(cgroup.resolve("pids.max")));
    }

    @Test
    void numbersKeyedValuesAndPids(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("limit"), "max\n");
        Files.writeString(dir.resolve("soft"), "-1\n");
        Files.writeString(dir.resolve("usage"), "4096\n");
        Files.writeString(dir.resolve("stat"), "cache 10\nrss 20\n");
        Files.writeString(dir.resolve("procs"), "12\n7\n\n");
        assertEquals(Long.MAX_VALUE, ControlFiles.number(dir.resolve("limit"), 0, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, ControlFiles.number(dir.resolve("soft"), 0, Long.MAX_VALUE));
        assertEquals(4096, ControlFiles.number(dir.resolve("usage"), 0, Long.MAX_VALUE));
        assertEquals(-5, ControlFiles.number(dir.resolve("missing"), -5, Long.MAX_VALUE));
        assertEquals(20, ControlFiles.keyed(dir.resolve("stat"), "rss"));
        assertEquals(0, ControlFiles.keyed(dir.resolve("stat"), "swap"));
        assertEquals(Set.of(12, 7), ControlFiles.pids(dir.resolve("procs")));
    }

    @Test
    void anUnreadableFileIsAnErrorNamingIt(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("usage"), "lots\n");
        KeelException notANumber = assertThrows(KeelException.class,
                () -> ControlFiles.number(dir.resolve("usage"), 0, 0));
        assertTrue(notANumber.getMessage().contains(dir.resolve("usage") + ": 'lots' is not a number"),
                notANumber.getMessage());
        KeelException directory = assertThrows(KeelException.class, () -> ControlFiles.read(dir));
        assertTrue(directory.getMessage().startsWith("cannot read " + dir + ": "), directory.getMessage());
    }
}
