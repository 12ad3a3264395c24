package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binds, named and anonymous volumes, tmpfs mounts and a read-only root through the keel
 * client, as Docker users write them (issue "Volumes and mounts"), and nothing left mounted.
 */
class VolumeCliTest {
    static Keel keel;
    static Path base;
    static Path rootfs;

    @BeforeAll
    static void setUp() throws Exception {
        base = Path.of(System.getProperty("keel.it.tmp")).resolve("volumes");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(base.toString()), "mounted under " + base);
        if (Files.exists(base)) { // a previous run's host directories and daemon state: start afresh
            try (var walk = Files.walk(base)) { // never follows the links the tests plant
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        keel = new Keel("volumes");
        rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Files.createDirectories(rootfs.resolve("seed/sub"));
        Files.writeString(rootfs.resolve("seed/sub/file"), "from the image\n");
        Path image = base.resolve("image");
        assertEquals(0, Keel.exec(List.of("cp", "-a", rootfs.toString(), image.toString())).code());
        Files.writeString(image.resolve("seed/sub/file"), "from the layer\n");
        Files.createSymbolicLink(image.resolve("imgdata"), Path.of("/etc/../../.." + base.resolve("image-escape")));
        Path tar = base.resolve("image.tar");
        assertEquals(0, Keel.exec(List.of("tar", "-C", image.toString(), "-cf", tar.toString(), ".")).code());
        Keel.Result imported = keel.keel("import", tar.toString(), "volumes-it:1");
        assertEquals(0, imported.code(), imported.toString());
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", "-v", id);
        }
        keel.keel("volume", "prune", "-a");
        keel.close();
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(base.toString()), "a mount under the test root is left:\n" + mounts);
    }

    static Keel.Result run(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
        int split = List.of(args).indexOf("--");
        all.addAll(List.of(args).subList(0, split));
        all.addAll(List.of("--rootfs", rootfs.toString()));
        all.addAll(List.of(args).subList(split + 1, args.length));
        return keel.keel(all.toArray(String[]::new));
    }

    @Test
    void aBindShowsWritesOnTheHostAndAMissingHostDirectoryIsMade() throws Exception {
        Path host = base.resolve("bind-made-by-v");
        assertFalse(Files.exists(host));
        Keel.Result r = run("-v", host + ":/data", "--", "sh", "-c", "echo hello > /data/f");
        assertEquals(0, r.code(), r.toString());
        assertEquals("hello\n", Files.readString(host.resolve("f")));
    }

    @Test
    void aNamedVolumeKeepsDataAcrossContainersUnderTheDaemonRoot() throws Exception {
        Keel.Result write = run("-v", "keep:/data", "--", "sh", "-c", "echo persisted > /data/f");
        assertEquals(0, write.code(), write.toString());
        Keel.Result read = run("--mount", "type=volume,source=keep,target=/other", "--", "cat", "/other/f");
        assertEquals("persisted\n", read.out(), read.toString());
        assertTrue(keel.keel("volume", "ls", "-q").out().lines().toList().contains("keep"));
        Keel.Result inspect = keel.keel("volume", "inspect", "keep");
        Path data = keel.root.resolve("volumes/keep/_data");
        assertTrue(inspect.out().contains("\"mountpoint\" : \"" + data + "\""), inspect.out());
        assertTrue(inspect.out().contains("\"driver\" : \"local\""), inspect.out());
        assertTrue(inspect.out().contains("\"createdAt\""), inspect.out());
        assertEquals("persisted\n", Files.readString(data.resolve("f")));
        assertEquals(0, keel.keel("volume", "rm", "keep").code());
        assertFalse(Files.exists(keel.root.resolve("volumes/keep")));
    }

    @Test
    void systemDfCountsVolumesAndPruneVolumesFreesTheUnusedOnes() throws Exception {
        Keel.Result write = run("-v", "dfvol:/data", "--", "sh", "-c", "head -c 3000000 /dev/zero > /data/f");
        assertEquals(0, write.code(), write.toString());
        Keel.Result df = keel.keel("system", "df", "--format", "json");
        assertEquals(0, df.code(), df.toString());
        java.util.regex.Matcher volumes = java.util.regex.Pattern.compile(
                "\"volumes\"\\s*:\\s*\\{[^}]*\"size\"\\s*:\\s*(\\d+)").matcher(df.out());
        assertTrue(volumes.find(), df.out());
        assertTrue(Long.parseLong(volumes.group(1)) >= 3_000_000, "the volume's 3 MB are counted: " + df.out());

        // an anonymous volume left by a container removed without -v: what prune --volumes is for
        List<String> before = keel.keel("volume", "ls", "-q").out().lines().toList();
        Keel.Result created = keel.keel("create", "--network", "none", "-v", "/anon", "--rootfs", rootfs.toString(),
                "true");
        assertEquals(0, created.code(), created.toString());
        assertEquals(0, keel.keel("rm", created.out().trim()).code());
        List<String> anonymous = new ArrayList<>(keel.keel("volume", "ls", "-q").out().lines().toList());
        anonymous.removeAll(before);
        assertEquals(1, anonymous.size(), "one anonymous volume left: " + anonymous);

        Keel.Result prune = keel.keel("system", "prune", "-f", "--volumes");
        assertEquals(0, prune.code(), prune.toString());
        assertTrue(prune.out().contains("Deleted Volumes:\n" + anonymous.get(0)), prune.out());
        List<String> after = keel.keel("volume", "ls", "-q").out().lines().toList();
        assertFalse(after.contains(anonymous.get(0)), "the unused anonymous volume is pruned");
        assertTrue(after.contains("dfvol"), "a named volume stays without -a, as Docker's");
        assertEquals(0, keel.keel("volume", "rm", "dfvol").code());
    }

    @Test
    void readOnlyMountsRefuseWrites() throws Exception {
        Path host = Files.createDirectories(base.resolve("ro-bind"));
        Files.writeString(host.resolve("f"), "host\n");
        Keel.Result bind = run("-v", host + ":/data:ro", "--", "sh", "-c", "cat /data/f; echo x > /data/f");
        assertNotEquals(0, bind.code(), bind.toString());
        assertEquals("host\n", bind.out());
        assertTrue(bind.err().contains("Read-only file system"), bind.toString());
        assertEquals("host\n", Files.readString(host.resolve("f")));
        Keel.Result volume = run("--mount", "type=volume,src=rovol,dst=/v,readonly", "--", "touch", "/v/x");
        assertNotEquals(0, volume.code(), volume.toString());
        assertTrue(volume.err().contains("Read-only file system"), volume.toString());
        keel.keel("volume", "rm", "rovol");
    }

    @Test
    void aReadOnlyRootKeepsItsTmpfsWritableAndSized() throws Exception {
        Keel.Result root = run("--read-only", "--", "touch", "/x");
        assertNotEquals(0, root.code(), root.toString());
        assertTrue(root.err().contains("Read-only file system"), root.toString());
        Keel.Result tmp = run("--read-only", "--tmpfs", "/tmp:size=2m,mode=1770", "--", "sh", "-c",
                "echo ok > /tmp/t && cat /tmp/t && grep ' /tmp ' /proc/mounts && stat -c %a /tmp");
        assertEquals(0, tmp.code(), tmp.toString());
        List<String> lines = tmp.out().lines().toList();
        assertEquals("ok", lines.get(0));
        assertTrue(lines.get(1).startsWith("tmpfs /tmp tmpfs rw,") && lines.get(1).contains("size=2048k"),
                tmp.out());
        assertEquals("1770", lines.get(2));
        assertFalse(Files.exists(rootfs.resolve("tmp/t")));
    }

    @Test
    void aVolumeInUseIsNotRemovedAndRmVRemovesAnonymousOnes() throws Exception {
        Keel.Result created = keel.keel("create", "--name", "vol-holder", "--network", "none", "-v", "held:/data",
                "-v", "/anon", "--tmpfs", "/scratch:size=1m", "--rootfs", rootfs.toString(), "true");
        assertEquals(0, created.code(), created.toString());
        Keel.Result refused = keel.keel("volume", "rm", "held");
        assertNotEquals(0, refused.code(), refused.toString());
        assertTrue(refused.err().contains("in use by container vol-holder"), refused.toString());

        Keel.Result inspect = keel.keel("inspect", "vol-holder");
        assertTrue(inspect.out().contains("\"name\" : \"held\""), inspect.out());
        assertTrue(inspect.out().contains("\"destination\" : \"/anon\""), inspect.out());
        assertTrue(inspect.out().contains("\"type\" : \"tmpfs\""), inspect.out());
        String anonymous = keel.keel("volume", "ls", "-q").out().lines().filter(n -> n.matches("[0-9a-f]{64}"))
                .findFirst().orElseThrow(() -> new AssertionError("no anonymous volume: " + inspect.out()));
        assertTrue(inspect.out().contains("\"name\" : \"" + anonymous + "\""), inspect.out());

        assertEquals(0, keel.keel("rm", "-v", "vol-holder").code());
        List<String> left = keel.keel("volume", "ls", "-q").out().lines().toList();
        assertFalse(left.contains(anonymous), "rm -v left the anonymous volume: " + left);
        assertTrue(left.contains("held"), "rm -v removed a named volume: " + left);
        assertEquals(0, keel.keel("volume", "rm", "held").code());
        assertEquals(0, keel.keel("volume", "rm", "-f", "held").code(), "-f: a missing volume is no error");
        assertNotEquals(0, keel.keel("volume", "rm", "held").code());
    }

    @Test
    void aNewVolumeGetsTheImagesContentOnlyWhenEmpty() throws Exception {
        Keel.Result first = run("-v", "seeded:/seed", "--", "sh", "-c", "cat /seed/sub/file; echo mine > /seed/sub/file");
        assertEquals("from the image\n", first.out(), first.toString());
        Keel.Result second = run("-v", "seeded:/seed", "--", "cat", "/seed/sub/file");
        assertEquals("mine\n", second.out(), "copy-up happened again into a volume with content");
        assertEquals("from the image\n", Files.readString(rootfs.resolve("seed/sub/file")));
        keel.keel("volume", "rm", "seeded");
    }

    @Test
    void aSymlinkTargetInTheImageResolvesInsideTheRoot() throws Exception {
        Path escape = base.resolve("host-escape");
        Files.createSymbolicLink(rootfs.resolve("linkdata"), Path.of("/etc/../../.." + escape));
        Path host = Files.createDirectories(base.resolve("link-bind"));
        Keel.Result r = run("-v", host + ":/linkdata", "--", "sh", "-c", "echo through > /linkdata/f");
        assertEquals(0, r.code(), r.toString());
        assertEquals("through\n", Files.readString(host.resolve("f")));
        assertFalse(Files.exists(escape, LinkOption.NOFOLLOW_LINKS), "the host path was made");
        assertTrue(Files.isDirectory(rootfs.resolve(escape.toString().substring(1)), LinkOption.NOFOLLOW_LINKS),
                "the target was not made inside the root");
    }

    @Test
    void badMountsAreRefusedNamingTheValue() throws Exception {
        Keel.Result missing = run("--mount", "type=bind,source=" + base.resolve("no-such-dir") + ",target=/x", "--",
                "true");
        assertEquals(125, missing.code(), missing.toString());
        assertTrue(missing.err().contains("bind source path does not exist: " + base.resolve("no-such-dir")),
                missing.toString());
        assertFalse(Files.exists(base.resolve("no-such-dir")));
        Keel.Result key = run("--mount", "type=volume,target=/x,colour=red", "--", "true");
        assertEquals(125, key.code(), key.toString());
        assertTrue(key.err().contains("unknown key 'colour'"), key.toString());
        Keel.Result relative = run("-v", "./data:/x", "--", "true");
        assertEquals(125, relative.code(), relative.toString());
        assertTrue(relative.err().contains("'./data:/x'"), relative.toString());
        Keel.Result target = run("-v", "/tmp:data", "--", "true");
        assertEquals(125, target.code(), target.toString());
        assertTrue(target.err().contains("must be absolute"), target.toString());
    }

    @Test
    void anImagesLayersSeedAVolumeAndItsSymlinkTargetStaysInTheContainer() throws Exception {
        Path host = Files.createDirectories(base.resolve("image-bind"));
        Keel.Result r = keel.keel("run", "--rm", "--network", "none", "-v", "layerseed:/seed", "-v",
                host + ":/imgdata", "volumes-it:1", "sh", "-c", "cat /seed/sub/file; echo via-image > /imgdata/f");
        assertEquals(0, r.code(), r.toString());
        assertEquals("from the layer\n", r.out());
        assertEquals("from the layer\n", Files.readString(keel.root.resolve("volumes/layerseed/_data/sub/file")));
        assertEquals("via-image\n", Files.readString(host.resolve("f")));
        assertFalse(Files.exists(base.resolve("image-escape"), LinkOption.NOFOLLOW_LINKS), "the host path was made");
        assertEquals(0, keel.keel("volume", "rm", "layerseed").code());
    }
}
