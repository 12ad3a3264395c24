package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.layer.Change;
import keel.api.layer.LayerPacker;
import keel.api.layer.RootSource;
import keel.api.layer.UnpackLimits;
import keel.api.layer.WhiteoutStyle;

/** Tar streams out of and into a root: layers from changes, archives, extraction; hostile symlinks stay inside. */
class TarPackerTest {
    @TempDir
    Path tmp;
    Path root;
    Path outside;
    final TarPacker packer = new TarPacker();

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host secret");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/conf"), "container conf");
        Files.writeString(root.resolve("secret"), "container secret");
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("dir/sub/file"), "f");
        Files.createLink(root.resolve("dir/hard"), root.resolve("dir/sub/file"));
        Files.createSymbolicLink(root.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../.."));
        Files.createSymbolicLink(root.resolve("outside"), outside); // absolute host path: means root + that path
    }

    @Test
    void layerFromChangesHasContentWhiteoutsAndOpaqueMarkers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        packer.writeLayer(RootSource.of(root), List.of(new Change("/dir", Change.Kind.OPAQUE),
                new Change("/dir/sub", Change.Kind.ADDED), new Change("/dir/sub/file", Change.Kind.ADDED),
                new Change("/etc", Change.Kind.MODIFIED), new Change("/etc/conf", Change.Kind.MODIFIED),
                new Change("/gone", Change.Kind.DELETED), new Change("/to-root", Change.Kind.ADDED)), out);
        Map<String, String> entries = entries(out.toByteArray());
        assertEquals(List.of("dir/", "dir/.wh..wh..opq", "dir/sub/", "dir/sub/file", "etc/", "etc/conf", ".wh.gone",
                "to-root"), List.copyOf(entries.keySet()));
        assertEquals("container conf", entries.get("etc/conf"));
        assertEquals("-> /", entries.get("to-root"));

        // what the unpacker makes of it in a fresh tree is the same files
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        new TarLayerUnpacker().unpack(new ByteArrayInputStream(out.toByteArray()),
                keel.api.image.MediaTypes.OCI_LAYER_TAR, copy, WhiteoutStyle.DELETE, UnpackLimits.DEFAULT);
        assertEquals("f", Files.readString(copy.resolve("dir/sub/file")));
    }

    @Test
    void archiveResolvesSymlinksInsideTheRoot() throws IOException {
        assertEquals("container secret", entries(archive("/to-root/secret", "secret")).get("secret"));
        assertEquals("container secret", entries(archive("/up/secret", "secret")).get("secret"));
        assertEquals(Optional.empty(), packer.kind(RootSource.of(root), "/outside/secret"),
                "an absolute symlink to a host directory resolves inside the root, where there is none");
        Map<String, String> tree = entries(archive("/dir", "copied"));
        assertEquals(List.of("copied/", "copied/hard", "copied/sub/", "copied/sub/file"), List.copyOf(tree.keySet()));
        assertEquals("=> copied/hard", tree.get("copied/sub/file"), "the second name of a file is a hard link");
        Map<String, String> export = entries(archive("/", ""));
        assertTrue(export.containsKey("etc/conf") && export.containsKey("up"), export.keySet().toString());
        assertEquals("-> ../../../..", export.get("up"), "a symlink is archived as a symlink");
    }

    @Test
    void extractThroughHostileSymlinksWritesOnlyInsideTheRoot() throws IOException {
        byte[] tar = new Layers().file("planted", "x").bytes();
        for (String target : List.of("/up", "/to-root", "/up/..", "/to-root/up")) {
            packer.extract(RootSource.of(root), target, new ByteArrayInputStream(tar), UnpackLimits.DEFAULT);
        }
        assertEquals("x", Files.readString(root.resolve("planted")));
        assertFalse(Files.exists(tmp.resolve("planted"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Path.of("/planted"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(Optional.of(LayerPacker.PathKind.DIRECTORY), packer.kind(RootSource.of(root), "/up"));
        assertEquals(Optional.of(LayerPacker.PathKind.OTHER), packer.kind(RootSource.of(root), "/etc/conf"));
        assertEquals("host secret", Files.readString(outside.resolve("secret")));
    }

    private byte[] archive(String path, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        packer.archive(RootSource.of(root), path, name, out);
        return out.toByteArray();
    }

    /** Entry name to content, "-> target" for symlinks, "=> target" for hard links, "" for directories. */
    private static Map<String, String> entries(byte[] tar) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String value = e.isSymbolicLink() ? "-> " + e.getLinkName() : e.isLink() ? "=> " + e.getLinkName()
                        : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                entries.put(e.getName(), value);
            }
        }
        return entries;
    }
}
