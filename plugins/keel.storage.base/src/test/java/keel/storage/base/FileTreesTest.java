package keel.storage.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path dir;

    @Test
    void deletesWithoutFollowingSymlinksOutOfTheTree() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.createSymbolicLink(tree.resolve("to-outside"), outside);
        Files.createSymbolicLink(dir.resolve("tree/a/precious-link"), outside.resolve("precious"));
        Path locked = Files.createDirectories(dir.resolve("tree/locked/inner"));
        Files.writeString(locked.resolve("f"), "x");
        Files.setPosixFilePermissions(dir.resolve("tree/locked"), PosixFilePermissions.fromString("---------"));
        byte[] odd = {(byte) 0xff, (byte) 0xfe, 'x'};
        int fd = Libc.openat(Libc.AT_FDCWD, Libc.cstr(dir.resolve("tree")), Libc.O_RDONLY | Libc.O_DIRECTORY, 0);
        assertTrue(Libc.openat(fd, Libc.cstr(odd), Libc.O_WRONLY | Libc.O_CREAT, 0600) >= 0, "a name that is not UTF-8");
        Libc.close(fd);

        FileTrees.delete(dir.resolve("tree"));
        assertFalse(Files.exists(dir.resolve("tree")));
        assertEquals("keep", Files.readString(outside.resolve("precious")));
        FileTrees.delete(dir.resolve("tree")); // nothing there: nothing to do
    }

    @Test
    void aSymlinkGivenAsTheTreeIsRemovedNotFollowed() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("f"), "keep");
        Files.createSymbolicLink(dir.resolve("link"), outside);
        FileTrees.delete(dir.resolve("link"));
        assertFalse(Files.exists(dir.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("f")));
    }

    @Test
    void usageCountsBlocksAndInodesOnceForHardLinks() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.write(tree.resolve("big"), new byte[256 * 1024]);
        Files.createLink(tree.resolve("again"), tree.resolve("big"));
        Files.createDirectories(tree.resolve("sub"));
        var usage = FileTrees.usage(tree);
        assertEquals(3, usage.inodes(), "tree, big (twice linked), sub");
        assertTrue(usage.bytes() >= 256 * 1024 && usage.bytes() < 2 * 256 * 1024, usage.toString());
    }

    @Test
    void refusesToEmptyAMountInsideTheTree() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(isRoot(), "mounts need root");
        Path tree = Files.createDirectories(dir.resolve("tree/mnt"));
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("precious"), "keep");
        assertEquals(0, Libc.mount(Libc.cstr(other), Libc.cstr(tree), null, 4096 /* MS_BIND */, null));
        try {
            IOException e = assertThrows(IOException.class, () -> FileTrees.delete(dir.resolve("tree")));
            assertTrue(e.getMessage().contains("something is mounted there"), e.getMessage());
            assertEquals("keep", Files.readString(other.resolve("precious")));
        } finally {
            assertEquals(0, Libc.umount2(Libc.cstr(tree), 0));
        }
    }

    private static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }
}
