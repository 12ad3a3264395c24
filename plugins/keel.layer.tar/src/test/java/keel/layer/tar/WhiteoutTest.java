package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.layer.WhiteoutStyle;

/**
 * Whiteouts in both styles across two layers: DELETE applies both onto one tree; OVERLAY unpacks
 * each into its own upper directory, and overlayfs mounted over them shows the same tree.
 */
class WhiteoutTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void root() {
        assumeTrue(TestLibC.geteuid() == 0, "needs root: whiteout devices, trusted xattrs, mount");
    }

    static byte[] lower() {
        return new Layers()
                .dir("a").file("a/f1", "1").file("a/f2", "2")
                .dir("b").file("b/x", "x").dir("b/sub").file("b/sub/y", "y")
                .file("c", "c")
                .dir("d").file("d/keep", "k")
                .dir("e").dir("e/deep").file("e/deep/z", "z")
                .bytes();
    }

    static byte[] upper() {
        return new Layers()
                .file("a/.wh.f1", "")            // delete a file
                .file(".wh.c", "")               // delete a top-level file
                .dir("b")
                .file("b/.wh..wh..opq", "")      // b is opaque: x and sub go
                .file("b/new", "n")              // but this layer's own b/new stays
                .file("d/.wh.nothing-there", "") // a whiteout of nothing
                .file(".wh.e", "")               // delete a whole tree
                .file("f", "same layer")
                .file(".wh.f", "")               // whiteouts never hide the same layer's files
                .file("a/.wh..wh.plnk", "")      // AUFS metadata: ignored
                .bytes();
    }

    static final Map<String, String> EXPECTED = new TreeMap<>(Map.of(
            "a", "dir", "a/f2", "file:2", "b", "dir", "b/new", "file:n", "d", "dir", "d/keep", "file:k",
            "f", "file:same layer"));

    @Test
    void deleteStyleAppliesWhiteoutsToTheLowerLayers() throws IOException {
        Path target = tmp.resolve("rootfs");
        Layers.unpack(lower(), target, WhiteoutStyle.DELETE);
        Layers.unpack(upper(), target, WhiteoutStyle.DELETE);
        assertEquals(EXPECTED, tree(target));
    }

    @Test
    void overlayStyleWritesWhiteoutDevicesAndOpaqueXattrs() throws IOException {
        Path lower = tmp.resolve("l1");
        Path upper = tmp.resolve("l2");
        Layers.unpack(lower(), lower, WhiteoutStyle.OVERLAY);
        Layers.unpack(upper(), upper, WhiteoutStyle.OVERLAY);

        assertWhiteout(upper.resolve("a/f1"));
        assertWhiteout(upper.resolve("c"));
        assertWhiteout(upper.resolve("e"));
        assertWhiteout(upper.resolve("d/nothing-there"));
        assertFalse(Files.exists(upper.resolve("a/.wh.f1"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(upper.resolve("b/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(upper.resolve("a/.wh..wh.plnk"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("79", TestLibC.xattrs(upper.resolve("b")).get("trusted.overlay.opaque"));
        assertTrue(Files.isRegularFile(upper.resolve("f"), LinkOption.NOFOLLOW_LINKS));

        // what a container sees
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        Path emptyUpper = Files.createDirectories(tmp.resolve("rw"));
        Sh.run("mount -t overlay overlay -o lowerdir=" + upper + ":" + lower + ",upperdir=" + emptyUpper
                + ",workdir=" + work + " " + Sh.q(merged));
        try {
            assertEquals(EXPECTED, tree(merged));
        } finally {
            Sh.run("umount " + Sh.q(merged));
        }
    }

    @Test
    void opaqueDirectoryInTheSameLayerKeepsItsOwnEarlierEntries() throws IOException {
        Path target = tmp.resolve("rootfs");
        Layers.unpack(new Layers().dir("o").file("o/old", "old").dir("o/old-dir").file("o/old-dir/f", "f").bytes(),
                target, WhiteoutStyle.DELETE);
        Layers.unpack(new Layers().dir("o").dir("o/mine").file("o/mine/a", "a").file("o/.wh..wh..opq", "")
                .file("o/after", "b").bytes(), target, WhiteoutStyle.DELETE);
        assertEquals(Map.of("o", "dir", "o/mine", "dir", "o/mine/a", "file:a", "o/after", "file:b"), tree(target));
    }

    private static void assertWhiteout(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0020000, (Integer) a.get("mode") & 0170000, path + " is a character device");
        assertEquals(0L, a.get("rdev"), path + " is device 0/0");
    }

    static TreeMap<String, String> tree(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String name = root.relativize(p).toString();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(name, "dir");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(name, "file:" + Files.readString(p));
                } else if (Files.isSymbolicLink(p)) {
                    out.put(name, "symlink:" + Files.readSymbolicLink(p));
                } else {
                    out.put(name, "other");
                }
            }
        }
        return out;
    }
}
