package keel.kernel.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;
import keel.api.container.MountPoint;
import keel.api.container.MountRequest;

class MountResolverTest {
    @TempDir
    Path dir;

    private MountRequest volume(String name, String target) {
        return new MountRequest(MountRequest.VOLUME, name, target, false, false, null, null);
    }

    @Test
    void bindsVolumesAndTmpfsResolveAsDockersDaemonDoes() throws Exception {
        VolumeStore store = new VolumeStore(dir.resolve("volumes"));
        Path host = dir.resolve("host/made");
        MountResolver.Resolved r = new MountResolver(store, name -> false).resolve(List.of(
                new MountRequest(MountRequest.BIND, host.toString(), "/data", true, true, null, null),
                volume("named", "/n"), volume(null, "/anon"),
                new MountRequest(MountRequest.TMPFS, null, "/tmp", false, false, 1L << 20, 01777)),
                Set.of("/declared/", "/n"), List.of(dir.resolve("rootfs")));
        assertTrue(Files.isDirectory(host), "-v makes a missing host directory");
        List<MountPoint> m = r.mounts();
        assertEquals(new MountPoint("bind", null, host.toString(), "/data", false, List.of()), m.get(0));
        assertEquals(new MountPoint("volume", "named", store.get("named").mountpoint(), "/n", true, List.of()),
                m.get(1));
        assertTrue(store.get(m.get(2).name()).anonymous());
        assertEquals(new MountPoint("tmpfs", null, "", "/tmp", true, List.of("size=1048576", "mode=1777")), m.get(3));
        assertEquals("/declared", m.get(4).destination(), "the image's VOLUME not covered by a mount");
        assertEquals(5, m.size());
        assertEquals(3, r.newVolumes().size(), "named, anonymous, declared");
    }

    @Test
    void badRequestsMakeNothing() {
        VolumeStore store = new VolumeStore(dir.resolve("volumes"));
        MountResolver resolver = new MountResolver(store, name -> false);
        Path missing = dir.resolve("missing");
        KeelException e = assertThrows(KeelException.class, () -> resolver.resolve(List.of(volume("first", "/a"),
                new MountRequest(MountRequest.BIND, missing.toString(), "/b", false, false, null, null)), Set.of(),
                List.of()));
        assertTrue(e.getMessage().contains("bind source path does not exist: " + missing), e.getMessage());
        assertEquals(List.of(), store.list(), "the volume made for it is removed again");
        assertTrue(assertThrows(KeelException.class, () -> resolver.resolve(List.of(volume(null, "/a"),
                volume(null, "/a")), Set.of(), List.of())).getMessage().contains("duplicate mount point: /a"));
        assertTrue(assertThrows(KeelException.class, () -> resolver.resolve(List.of(), Set.of("/a/../../etc"),
                List.of())).getMessage().contains("invalid VOLUME"));
        assertTrue(assertThrows(KeelException.class, () -> resolver.resolve(List.of(volume(null, "/a/./b")),
                Set.of(), List.of())).getMessage().contains("invalid mount target"));
        assertEquals(List.of(), store.list());
    }

    @Test
    void copyUpMergesTheLayersOnlyIntoAnEmptyVolume() throws Exception {
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path top = Files.createDirectories(dir.resolve("top/srv/sub"));
        Path bottom = Files.createDirectories(dir.resolve("bottom/srv/sub"));
        Files.writeString(bottom.resolve("a"), "old");
        Files.writeString(bottom.resolve("gone"), "deleted above");
        Files.writeString(top.resolve("a"), "new");
        Files.createSymbolicLink(top.resolve("link"), Path.of("/etc/shadow"));
        new ProcessBuilder("mknod", top.resolve("gone").toString(), "c", "0", "0").start().waitFor();
        Files.setPosixFilePermissions(dir.resolve("top/srv"), PosixFilePermissions.fromString("rwxr-x---"));
        List<Path> layers = List.of(upper, dir.resolve("top"), dir.resolve("bottom"));
        VolumeStore store = new VolumeStore(dir.resolve("volumes"));
        MountResolver resolver = new MountResolver(store, name -> false);

        MountPoint m = resolver.resolve(List.of(volume("vol", "/srv")), Set.of(), layers).mounts().get(0);
        Path data = Path.of(m.source());
        assertEquals("new", Files.readString(data.resolve("sub/a")));
        assertEquals(Path.of("/etc/shadow"), Files.readSymbolicLink(data.resolve("sub/link")), "copied, not followed");
        assertFalse(Files.exists(data.resolve("sub/gone")), "a whiteout deletes the lower file");
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));

        Files.writeString(data.resolve("sub/a"), "mine");
        resolver.resolve(List.of(volume("vol", "/srv")), Set.of(), layers);
        assertEquals("mine", Files.readString(data.resolve("sub/a")), "a volume with content is left alone");

        MountPoint used = new MountResolver(store, name -> true).resolve(List.of(volume("used", "/srv")), Set.of(),
                layers).mounts().get(0);
        try (var entries = Files.list(Path.of(used.source()))) {
            assertEquals(List.of(), entries.toList(), "no copy into a volume a container uses");
        }
    }

    @Test
    void copyUpNeverGoesThroughASymlink() throws Exception {
        Path layer = Files.createDirectories(dir.resolve("layer"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host");
        Files.createSymbolicLink(layer.resolve("srv"), outside);
        VolumeStore store = new VolumeStore(dir.resolve("volumes"));
        MountPoint m = new MountResolver(store, name -> false).resolve(List.of(volume("vol", "/srv")), Set.of(), List.of(layer))
                .mounts().get(0);
        try (var entries = Files.list(Path.of(m.source()))) {
            assertEquals(List.of(), entries.toList());
        }
    }
}
