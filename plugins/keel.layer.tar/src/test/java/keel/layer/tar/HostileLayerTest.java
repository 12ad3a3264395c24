package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.WhiteoutStyle;

/**
 * Layers that try to reach outside their root. Each runs with both resolvers (openat2 and the
 * O_PATH walk) and ends by checking the host: the canary directory and file beside the target keep
 * their content and link count, and nothing new appears outside the target.
 */
class HostileLayerTest {
    @TempDir
    Path tmp;
    Path target;
    Path canaryDir;
    Path canaryFile;
    TreeMap<String, String> outsideBefore;
    /** Paths outside tmp that the layers below aim at: none may appear. */
    List<Path> aimedAt;

    @BeforeAll
    static void root() {
        assumeTrue(TestLibC.geteuid() == 0, "needs root");
    }

    @BeforeEach
    void canaries() throws IOException {
        target = Files.createDirectories(tmp.resolve("target"));
        canaryDir = Files.createDirectories(tmp.resolve("canary-dir"));
        Files.writeString(canaryDir.resolve("precious"), "precious");
        canaryFile = Files.writeString(tmp.resolve("canary-file"), "canary");
        outsideBefore = outside();
        Path parent = tmp.getParent();
        aimedAt = List.of(parent.resolve("x"), parent.resolve("escape"), parent.resolve(".wh.canary-file"),
                Path.of("/x"), Path.of("/escape"), Path.of("/pwned"), parent.resolve("pwned"));
        for (Path p : aimedAt) {
            assumeTrue(!Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " exists before the test");
        }
    }

    @AfterEach
    void hostUntouched() throws IOException {
        assertEquals(outsideBefore, outside(), "nothing outside the target changed");
        assertEquals("canary", Files.readString(canaryFile));
        assertEquals(1, Files.getAttribute(canaryFile, "unix:nlink"), "nobody hard-linked the canary");
        assertEquals(1, Files.getAttribute(canaryDir.resolve("precious"), "unix:nlink"));
        for (Path p : aimedAt) {
            assertFalse(Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " was made");
        }
    }

    /** Everything under tmp except the target: path -> content or type, and link count. */
    private TreeMap<String, String> outside() throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (var paths = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.startsWith(target)) {
                    continue;
                }
                String what = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "file:" + Files.readString(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "other";
                out.put(tmp.relativize(p).toString(), what + " nlink=" + Files.getAttribute(p, "unix:nlink",
                        LinkOption.NOFOLLOW_LINKS));
            }
        }
        return out;
    }

    private void unpack(boolean openat2, byte[] layer) {
        unpack(openat2, layer, WhiteoutStyle.DELETE);
    }

    private void unpack(boolean openat2, byte[] layer, WhiteoutStyle style) {
        new TarLayerUnpacker(openat2).unpack(new ByteArrayInputStream(layer), MediaTypes.OCI_LAYER_TAR, target, style,
                UnpackLimits.DEFAULT);
    }

    private KeelException refused(boolean openat2, byte[] layer, String... messageParts) {
        return refused(openat2, layer, WhiteoutStyle.DELETE, messageParts);
    }

    private KeelException refused(boolean openat2, byte[] layer, WhiteoutStyle style, String... messageParts) {
        KeelException e = assertThrows(KeelException.class, () -> unpack(openat2, layer, style));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' names '" + part + "'");
        }
        return e;
    }

    /** Where an absolute host path lands when a symlink to it is followed inside the root. */
    private Path inRoot(Path hostPath) {
        return target.resolve(hostPath.toString().substring(1));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void dotDotNamesAreRefused(boolean openat2) {
        refused(openat2, new Layers().file("../escape", "x").bytes(), "../escape", "climbs above the root");
        refused(openat2, new Layers().file("a/../../escape", "x").bytes(), "climbs above the root");
        refused(openat2, new Layers().file("/../canary-file", "x").bytes(), "climbs above the root");
        refused(openat2, new RawTar().file("../../../../../../../../tmp/keel-escape-" + UUID.randomUUID(),
                "x".getBytes(StandardCharsets.UTF_8)).bytes(), "climbs above the root");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void dotDotThatStaysInsideIsCleaned(boolean openat2) throws IOException {
        unpack(openat2, new Layers().dir("a").file("a/../b", "inside").bytes());
        assertEquals("inside", Files.readString(target.resolve("b")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void absoluteNamesAreRelativeToTheRoot(boolean openat2) throws IOException {
        String name = "keel-abs-" + UUID.randomUUID();
        unpack(openat2, new RawTar().file("/" + name, "a".getBytes(StandardCharsets.UTF_8))
                .file("//" + name + "-2", "b".getBytes(StandardCharsets.UTF_8)).bytes());
        assertFalse(Files.exists(Path.of("/", name)));
        assertEquals("a", Files.readString(target.resolve(name)));
        assertEquals("b", Files.readString(target.resolve(name + "-2")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void writingThroughASymlinkInTheSameLayerStaysInside(boolean openat2) throws IOException {
        unpack(openat2, new Layers().symlink("evil", canaryDir.toString()).file("evil/pwned", "x")
                .file("evil/precious", "overwritten?").bytes());
        assertEquals("x", Files.readString(inRoot(canaryDir).resolve("pwned")));
        assertEquals("overwritten?", Files.readString(inRoot(canaryDir).resolve("precious")));
        assertEquals("precious", Files.readString(canaryDir.resolve("precious")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void writingThroughASymlinkOfAnEarlierLayerStaysInside(boolean openat2) throws IOException {
        unpack(openat2, new Layers().symlink("evil", canaryDir.toString()).symlink("rel", "../../../../../../../..")
                .bytes());
        unpack(openat2, new Layers().file("evil/pwned", "x").file("rel" + canaryDir + "/pwned2", "y").bytes());
        assertEquals("x", Files.readString(inRoot(canaryDir).resolve("pwned")));
        assertEquals("y", Files.readString(inRoot(canaryDir).resolve("pwned2")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void symlinkChainsStayInside(boolean openat2) throws IOException {
        String climb = "../".repeat(20) + tmp.relativize(canaryDir.getRoot().resolve(canaryDir)).toString();
        unpack(openat2, new Layers().dir("x").symlink("x/a", "b").symlink("x/b", "../c").symlink("c", "d/e")
                .dir("d").symlink("d/e", climb).file("x/a/pwned", "x").bytes());
        assertTrue(Files.isRegularFile(target.resolve(canaryDir.toString().substring(1)).resolve("pwned"))
                || Files.isRegularFile(target.resolve(tmp.relativize(canaryDir)).resolve("pwned")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void aFileReplacingASymlinkReplacesTheLinkNotItsTarget(boolean openat2) throws IOException {
        unpack(openat2, new Layers().symlink("f", canaryFile.toString()).symlink("d", canaryDir.toString()).bytes());
        unpack(openat2, new Layers().file("f", "replaced").dir("d").file("d/new", "n").bytes());
        assertEquals("replaced", Files.readString(target.resolve("f")));
        assertTrue(Files.isDirectory(target.resolve("d"), LinkOption.NOFOLLOW_LINKS));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void hardLinksToFilesOutsideAreRefused(boolean openat2) {
        refused(openat2, new Layers().hardlink("h", "../canary-file").bytes(), "climbs above the root");
        refused(openat2, new Layers().hardlink("h", canaryFile.toString()).bytes(), "hard link", "not in the layer root");
        refused(openat2, new Layers().symlink("s", tmp.toString()).hardlink("h", "s/canary-file").bytes(),
                "hard link");
        refused(openat2, new Layers().symlink("s", canaryFile.toString()).symlink("p", tmp.toString())
                .hardlink("h", "p/canary-dir/precious").bytes(), "hard link");
        refused(openat2, new Layers().dir("d").hardlink("h", "d").bytes(), "is a directory");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void hardLinkToASymlinkLinksTheSymlinkItself(boolean openat2) throws IOException {
        unpack(openat2, new Layers().symlink("s", canaryFile.toString()).hardlink("h", "s").bytes());
        assertEquals(canaryFile, Files.readSymbolicLink(target.resolve("h")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void whiteoutsThatClimbAreRefused(boolean openat2) {
        for (WhiteoutStyle style : WhiteoutStyle.values()) {
            refused(openat2, new Layers().file(".wh...", "").bytes(), style, "whiteout");
            refused(openat2, new Layers().file("a/.wh..", "").bytes(), style, "whiteout");
            refused(openat2, new Layers().file("../.wh.canary-file", "").bytes(), style, "climbs above the root");
            refused(openat2, new RawTar().file("a/../../.wh.canary-dir", new byte[0]).bytes(), style,
                    "climbs above the root");
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void whiteoutsThroughSymlinksDeleteOnlyInside(boolean openat2) throws IOException {
        unpack(openat2, new Layers().symlink("s", tmp.toString()).bytes());
        unpack(openat2, new Layers().file("s/.wh.canary-file", "").file("s/.wh.canary-dir", "").bytes());
        unpack(openat2, new Layers().file("s/.wh.canary-file", "").file("s/.wh.canary-dir", "").bytes(),
                WhiteoutStyle.OVERLAY);
        assertTrue(Files.exists(canaryFile) && Files.exists(canaryDir.resolve("precious")));
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void paxPathOverridesAreCheckedLikeNames(boolean openat2) {
        refused(openat2, new RawTar().pax(RawTar.record("path", "../../x".getBytes(StandardCharsets.UTF_8)))
                .file("innocent", "x".getBytes(StandardCharsets.UTF_8)).bytes(), "'../../x'", "climbs above the root");
        refused(openat2, new RawTar().pax(RawTar.record("linkpath", "../../canary-file".getBytes(StandardCharsets.UTF_8)))
                .hardlink("innocent", "innocent-target").bytes(), "climbs above the root");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void devicesAreMadeOnlyInside(boolean openat2) throws IOException {
        unpack(openat2, new Layers().symlink("dev", canaryDir.toString())
                .device("dev/sda-copy", TarArchiveEntry.LF_BLK, 8, 0)
                .device("null", TarArchiveEntry.LF_CHR, 1, 3)
                .device("fifo", TarArchiveEntry.LF_FIFO, 0, 0).bytes());
        assertEquals(0060000, (Integer) Files.getAttribute(inRoot(canaryDir).resolve("sda-copy"), "unix:mode",
                LinkOption.NOFOLLOW_LINKS) & 0170000);
        assertEquals(0020000, (Integer) Files.getAttribute(target.resolve("null"), "unix:mode",
                LinkOption.NOFOLLOW_LINKS) & 0170000);
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void namesWithNulAreRefused(boolean openat2) {
        refused(openat2, new RawTar().pax(RawTar.record("path", "a\0/../../../x".getBytes(StandardCharsets.UTF_8)))
                .file("innocent", new byte[0]).bytes(), "NUL");
        refused(openat2, new RawTar().gnuLongName("evil\0name".getBytes(StandardCharsets.UTF_8))
                .file("innocent", new byte[0]).bytes(), "NUL");
        refused(openat2, new RawTar().pax(RawTar.record("linkpath", "x\0y".getBytes(StandardCharsets.UTF_8)))
                .symlink("s", "t").bytes(), "NUL");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void overLongNamesAreRefused(boolean openat2) {
        String longName = "a/".repeat(2100) + "f"; // 4201 bytes, over the default 4096
        refused(openat2, new Layers().file(longName, "x").bytes(), "UnpackLimits.maxNameLength");
        refused(openat2, new RawTar().gnuLongName(longName.getBytes(StandardCharsets.UTF_8))
                .file("innocent", new byte[0]).bytes(), "UnpackLimits.maxNameLength");
        refused(openat2, new Layers().file("x".repeat(256), "x").bytes(), "NAME_MAX");
        refused(openat2, new Layers().symlink("s", "t/".repeat(2100)).bytes(), "UnpackLimits.maxNameLength");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void aHugeGnuLongNameIsRefusedBeforeItIsRead(boolean openat2) {
        byte[] header = new RawTar().gnuLongName(new byte[0]).bytes();
        // claim 1 GiB of name; the stream has none of it
        byte[] size = String.format("%011o", 1L << 30).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, header, 124, 11);
        fixChecksum(header);
        refused(openat2, header, "GNU long name", "UnpackLimits.maxNameLength");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void xattrsOfOverlayfsAreNotTakenFromLayers(boolean openat2) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry("dir/", TarArchiveEntry.LF_DIR);
        e.addPaxHeader("SCHILY.xattr.trusted.overlay.redirect", "/etc");
        e.addPaxHeader("SCHILY.xattr.trusted.overlay.opaque", "y");
        e.addPaxHeader("SCHILY.xattr.user.ok", "ok");
        unpack(openat2, new Layers().put(e, null).bytes(), WhiteoutStyle.OVERLAY);
        assertEquals(java.util.Map.of("user.ok", "6f6b"), TestLibC.xattrs(target.resolve("dir")));
    }

    static void fixChecksum(byte[] header) {
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += header[i] & 0xff;
        }
        byte[] digits = String.format("%06o\0", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, header, 148, 7);
    }
}
