package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;
import keel.api.layer.WhiteoutStyle;

/**
 * Small files written on writer threads give the same tree as files written one by one, also when
 * later entries replace, link to, delete or build on files still being written, and in both
 * whiteout styles.
 */
class FileWritersTest {
    @TempDir
    Path tmp;

    /** Entries that each depend on an earlier small file: every one must wait for it. */
    private static byte[] racingLayer() {
        Layers layer = new Layers().dir("d");
        for (int i = 0; i < 200; i++) {
            layer.file("d/f" + i, "content " + i);
        }
        return layer
                .file("dup", "first").file("dup", "second")               // the same name twice
                .file("becomes-dir", "file").dir("becomes-dir").file("becomes-dir/in", "x") // file, then dir
                .dir("tree").file("tree/a", "a").file("tree/b", "b").symlink("tree", "d")     // dir with files, then link
                .file("target", "t").hardlink("link", "target")          // link to a file being written
                .file("gone", "g").file(".wh.gone", "")                  // a whiteout of this layer's own file
                .bytes();
    }

    @Test
    void writerThreadsGiveTheSameTreeAsOneThreadInBothStyles() throws Exception {
        byte[] layer = racingLayer();
        for (WhiteoutStyle style : WhiteoutStyle.values()) {
            Path serial = tmp.resolve(style + "-serial");
            Path parallel = tmp.resolve(style + "-parallel");
            Layers.unpack(new TarLayerUnpacker(true, 0), layer, serial, style);
            Layers.unpack(new TarLayerUnpacker(true, 3), layer, parallel, style);
            assertEquals(Manifest.of(serial), Manifest.of(parallel), style.toString());
            assertEquals("second", Files.readString(parallel.resolve("dup")));
            assertEquals("t", Files.readString(parallel.resolve("link")));
            assertTrue(Files.isDirectory(parallel.resolve("becomes-dir")));
            assertTrue(Files.isSymbolicLink(parallel.resolve("tree")));
        }
    }

    @Test
    void aFileOverOneMebibyteAndManySmallOnesKeepTheirContent() throws Exception {
        byte[] big = new byte[FileWriters.MAX_FILE + 1];
        new Random(7).nextBytes(big);
        Layers layer = new Layers();
        layer.put(new org.apache.commons.compress.archivers.tar.TarArchiveEntry("big.bin"), big);
        for (int i = 0; i < 500; i++) {
            layer.file("small-" + i, "s".repeat(i));
        }
        Path target = tmp.resolve("sizes");
        Layers.unpack(new TarLayerUnpacker(true, 3), layer.bytes(), target, WhiteoutStyle.OVERLAY);
        assertEquals(Manifest.sha256(big), Manifest.sha256(target.resolve("big.bin")));
        for (int i = 0; i < 500; i += 99) {
            assertEquals("s".repeat(i), Files.readString(target.resolve("small-" + i)));
        }
    }

    @Test
    void aFailedWriteFailsTheUnpackNamingItsEntryAndNothingIsWrittenAfterItReturns() throws Exception {
        Path target = tmp.resolve("readonly");
        Layers layer = new Layers();
        for (int i = 0; i < 50; i++) {
            layer.file("ro/f" + i, "x");
        }
        // a directory no file can be made in, even by root: immutable
        Files.createDirectories(target.resolve("ro"));
        Sh.run("chattr +i " + target.resolve("ro"));
        try {
            KeelException e = assertThrows(KeelException.class, () -> Layers.unpack(new TarLayerUnpacker(true, 3),
                    layer.bytes(), target, WhiteoutStyle.OVERLAY));
            assertTrue(e.getMessage().contains("cannot apply layer entry 'ro/f"), e.getMessage());
            try (var left = Files.list(target.resolve("ro"))) {
                assertEquals(0, left.count());
            }
        } finally {
            Sh.run("chattr -i " + target.resolve("ro"));
        }
    }
}
