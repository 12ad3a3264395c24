package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An image of 5 layers (busybox and 4 layers of changes built with GNU tar, whiteouts as
 * {@code .wh.NAME} and {@code .wh..wh..opq} files) loaded as a docker-archive and run with each
 * storage driver: the tree the container sees is the tree GNU tar makes by extracting the layers
 * in turn with the OCI whiteouts applied by hand. Both trees are listed by the same busybox
 * script (path, type, mode, uid, gid, sha256 of the content or the link target; no times), in the
 * container and in a chroot of the reference tree.
 */
class LayerTreeCliTest {
    static final String IMAGE = "stor-tree:5";

    /** The 4 layers on top of busybox, as shell commands run in an empty directory (the layer's root). */
    static final List<String> LAYERS = List.of(
            // 1: additions (files, a tree to delete, an opaque-to-be directory, links, modes, owners, a deep path)
            "mkdir -p data/dir-to-delete/sub data/opaque/sub data/dir-to-file/in data/sticky deep/a/b/c/d/e/f/g/h/i/j"
                    + " && echo keep > data/keep && echo v1 > data/modify && echo gone > data/delete-me"
                    + " && echo a > data/dir-to-delete/a && echo c > data/dir-to-delete/sub/c"
                    + " && echo old1 > data/opaque/old1 && echo old3 > data/opaque/sub/old3"
                    + " && echo was-a-file > data/file-to-dir && echo x > data/dir-to-file/in/x"
                    + " && ln -s keep data/link && ln -s /etc/passwd data/abs-link && ln -s ../nowhere data/dangling"
                    + " && echo setuid > data/setuid && chmod 4755 data/setuid"
                    + " && echo owned > data/owned && chown 1234:5678 data/owned && chmod 0640 data/owned"
                    + " && chmod 1777 data/sticky && echo deep > deep/a/b/c/d/e/f/g/h/i/j/file",
            // 2: modifications, deletions of a file and a directory, an opaque directory, type changes, a hard link
            "mkdir -p data/opaque data/file-to-dir/now-a-dir deep/a/b/c/d/e/f/g/h/i/j/k data/setgid"
                    + " && echo v2 > data/modify && chmod 0600 data/modify && chown 42:43 data/modify"
                    + " && touch data/.wh.delete-me data/.wh.dir-to-delete"
                    + " && echo new1 > data/opaque/new1"
                    + " && echo inner > data/file-to-dir/now-a-dir/inner && echo was-a-dir > data/dir-to-file"
                    + " && ln -s modify data/link"
                    + " && echo shared > data/hard1 && ln data/hard1 data/hard2 && chown 7:8 data/hard1"
                    + " && echo deeper > deep/a/b/c/d/e/f/g/h/i/j/file && echo k > deep/a/b/c/d/e/f/g/h/i/j/k/new"
                    + " && chown 0:100 data/setgid && chmod 2775 data/setgid",
            // 3: a file becomes a symlink, a hard link's other name goes, an opaque directory high in a deep path,
            // a directory's mode and owner change alone, /etc changes
            "mkdir -p data/sticky deep/a/b etc"
                    + " && ln -s /etc/motd data/keep && touch data/.wh.hard1"
                    + " && echo only > deep/a/b/only"
                    + " && chmod 1770 data/sticky && chown 7:7 data/sticky"
                    + " && echo motd > etc/motd "
                    + " && printf 'root:x:0:0:root:/root:/bin/sh\\nstor:x:1234:5678::/:/bin/false\\n' > etc/passwd",
            // 4: deleted names come back with another type, a directory of busybox links and a link go,
            // an opaque directory that is itself new in a lower layer, a hard link across directories
            "mkdir -p data/delete-me data/file-to-dir bin usr deep/x"
                    + " && echo back > data/delete-me/inside && echo back-as-file > data/dir-to-delete"
                    + " && touch bin/.wh.vi usr/.wh.sbin"
                    + " && echo replaced > data/file-to-dir/replaced"
                    + " && echo linked > deep/x/h && ln deep/x/h data/h-too && chmod 0751 deep/x/h");

    /**
     * Per layer, the opaque markers that go into its tar after the rest: they come after this layer's own
     * files in their directory, which they must not delete (a whiteout hides lower layers only).
     */
    static final List<List<String>> LATE = List.of(List.of(), List.of(),
            List.of("data/opaque/.wh..wh..opq"), List.of("deep/a/b/.wh..wh..opq"),
            List.of("data/file-to-dir/.wh..wh..opq"));

    /**
     * Lists the tree at / with busybox alone: mode in hex, uid, gid, sha256 of content or link target; first,
     * where /proc is mounted, the root's file system type ({@code #root overlay}).
     */
    static final String MANIFEST = "b=/bin/busybox;"
            + " [ -r /proc/mounts ] && $b awk '$2 == \"/\" {print \"#root \" $3}' /proc/mounts;"
            + " $b find / -xdev | while IFS= read -r p; do"
            + " s=$($b stat -c '%f|%u|%g' \"$p\");"
            + " if [ -L \"$p\" ]; then h=\"-> $($b readlink \"$p\")\";"
            + " elif [ -f \"$p\" ]; then h=$($b sha256sum < \"$p\"); h=${h%% *};"
            + " else h=-; fi; echo \"$p|$s|$h\"; done";

    /** What the runtime mounts or makes in every container: not the image's. */
    static final List<String> RUNTIME = List.of("/proc", "/sys", "/dev", "/etc/hosts", "/etc/hostname",
            "/etc/resolv.conf");

    static Path base;
    static Path archive;
    static List<String> reference;

    @BeforeAll
    static void layersAndReference() throws Exception {
        base = Path.of(System.getProperty("keel.it.tmp")).resolve("layer-tree");
        removeTree(base);
        Path busybox = base.resolve("layer0");
        Keel.busyboxRootfs(busybox);
        List<Path> tars = new ArrayList<>();
        tars.add(tar(busybox, List.of(), base.resolve("layer0.tar")));
        for (int i = 0; i < LAYERS.size(); i++) {
            Path dir = Files.createDirectories(base.resolve("layer" + (i + 1)));
            sh(dir, "umask 022 && " + LAYERS.get(i));
            for (String late : LATE.get(i + 1)) {
                Files.createFile(dir.resolve(late));
            }
            tars.add(tar(dir, LATE.get(i + 1), base.resolve("layer" + (i + 1) + ".tar")));
        }
        archive = DockerArchives.write(base.resolve("image"), IMAGE, "{\"Cmd\":[\"sh\"]}", tars.toArray(Path[]::new));

        Path tree = Files.createDirectories(base.resolve("reference"));
        for (Path layer : tars) {
            extractWithWhiteouts(layer, tree);
        }
        reference = manifest(run(List.of("chroot", tree.toString(), "/bin/busybox", "sh", "-c", MANIFEST)));
        assertTrue(reference.size() > 200 && reference.stream().anyMatch(l -> l.startsWith("/data/opaque/new1|"))
                && reference.stream().noneMatch(l -> l.startsWith("/data/opaque/old1|")),
                "the reference tree is not the layers': " + String.join("\n", reference));
    }

    @Test
    void overlaySnapshotsGiveTheTreeGnuTarMakes() throws Exception {
        assertTheContainerSeesTheReferenceTree("overlay");
    }

    @Test
    void copySnapshotsGiveTheTreeGnuTarMakes() throws Exception {
        assertTheContainerSeesTheReferenceTree("copy");
    }

    /** Loads the image into a daemon whose bound storage driver is {@code driver} and lists a container's tree. */
    static void assertTheContainerSeesTheReferenceTree(String driver) throws Exception {
        try (Keel keel = new Keel("layer-tree-" + driver)) {
            if (!driver.equals("overlay")) {
                Keel.Result swap = keel.keel("swap", "storage", driver);
                for (int i = 0; i < 100 && swap.code() != 0; i++) { // the drivers register just after the daemon starts
                    Thread.sleep(100);
                    swap = keel.keel("swap", "storage", driver);
                }
                ok(swap);
            }
            try {
                ok(keel.keel("load", "-i", archive.toString()));
                Keel.Result run = ok(keel.keel("run", "--rm", "--name", "stor-tree-" + driver, "--network", "none",
                        IMAGE, "/bin/busybox", "sh", "-c", MANIFEST));
                String rootType = run.out().lines().filter(l -> l.startsWith("#root ")).findFirst().orElse("#root ?");
                assertEquals(driver.equals("overlay"), rootType.equals("#root overlay"),
                        "the container's root is not what the " + driver + " driver mounts: " + rootType);
                List<String> seen = manifest(run.out());
                assertEquals("", difference(reference, seen), "the " + driver + " driver's tree (+) differs from "
                        + "GNU tar's (-)");
            } finally {
                for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
                    keel.keel("rm", "-f", id);
                }
                keel.keel("rmi", IMAGE);
                keel.close();
                assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(keel.root.toString()),
                        "a mount under the test root is left");
            }
        }
    }

    /**
     * The lines only in {@code expected} (as {@code - line}) and only in {@code actual} ({@code + line}),
     * sorted by path; empty when both are the same.
     */
    static String difference(List<String> expected, List<String> actual) {
        TreeSet<String> lines = new TreeSet<>(Comparator.comparing((String l) -> l.substring(2)).thenComparing(l -> l));
        expected.stream().filter(l -> !actual.contains(l)).forEach(l -> lines.add("- " + l));
        actual.stream().filter(l -> !expected.contains(l)).forEach(l -> lines.add("+ " + l));
        return String.join("\n", lines);
    }

    /**
     * The manifest lines of the script's output, sorted, the runtime's paths left out: {@code path|type
     * mode|uid|gid|sha256} or {@code -> target}, the mode in octal with its special bits.
     */
    static List<String> manifest(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\|", 5);
            assertEquals(5, f.length, "not a manifest line: " + line);
            if (RUNTIME.stream().anyMatch(r -> f[0].equals(r) || f[0].startsWith(r + "/"))) {
                continue;
            }
            int mode = Integer.parseInt(f[1], 16);
            lines.add(f[0] + "|" + type(mode) + " " + String.format("%04o", mode & 07777) + "|" + f[2] + "|" + f[3]
                    + "|" + f[4]);
        }
        lines.sort(null);
        return lines;
    }

    static String type(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> "d";
            case 0100000 -> "f";
            case 0120000 -> "l";
            case 0020000 -> "c";
            case 0060000 -> "b";
            case 0010000 -> "p";
            case 0140000 -> "s";
            default -> "?";
        };
    }

    /**
     * Applies one layer to {@code tree} as the OCI image spec says, with GNU tar: the layer's whiteouts
     * delete lower files ({@code .wh.NAME}) or empty a lower directory ({@code .wh..wh..opq}), a lower
     * path whose type the layer changes goes, then tar extracts the layer and the whiteout files are
     * removed.
     */
    static void extractWithWhiteouts(Path layer, Path tree) throws Exception {
        Path staging = base.resolve("staging");
        removeTree(staging);
        Files.createDirectories(staging);
        run(List.of("tar", "--numeric-owner", "-xpf", layer.toString(), "-C", staging.toString()));
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(staging)) {
            entries = walk.filter(p -> !p.equals(staging)).map(staging::relativize).toList();
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            Path lower = tree.resolve(entry);
            if (name.equals(".wh..wh..opq")) {
                try (Stream<Path> children = Files.exists(lower.getParent()) ? Files.list(lower.getParent())
                        : Stream.empty()) {
                    for (Path child : children.toList()) {
                        removeTree(child);
                    }
                }
            } else if (name.startsWith(".wh.")) {
                removeTree(lower.resolveSibling(name.substring(".wh.".length())));
            } else if (Files.exists(lower, LinkOption.NOFOLLOW_LINKS)
                    && Files.isDirectory(lower, LinkOption.NOFOLLOW_LINKS)
                            != Files.isDirectory(staging.resolve(entry), LinkOption.NOFOLLOW_LINKS)) {
                removeTree(lower);
            }
        }
        run(List.of("tar", "--numeric-owner", "-xpf", layer.toString(), "-C", tree.toString()));
        for (Path entry : entries) {
            if (entry.getFileName().toString().startsWith(".wh.")) {
                Files.delete(tree.resolve(entry));
            }
        }
        removeTree(staging);
    }

    /** A layer tar of {@code dir} with GNU tar, names sorted, the {@code late} entries appended at the end. */
    static Path tar(Path dir, List<String> late, Path tar) throws Exception {
        List<String> create = new ArrayList<>(List.of("tar", "--numeric-owner", "--sort=name", "-C", dir.toString(),
                "-cf", tar.toString()));
        for (String l : late) {
            create.addAll(List.of("--exclude", "./" + l));
        }
        create.add(".");
        run(create);
        for (String l : late) {
            run(List.of("tar", "--numeric-owner", "-C", dir.toString(), "-rf", tar.toString(), "./" + l));
        }
        return tar;
    }

    static void sh(Path dir, String script) throws Exception {
        run(List.of("bash", "-c", "cd " + dir + " && " + script));
    }

    static String run(List<String> command) throws Exception {
        Keel.Result r = Keel.exec(command);
        assertEquals(0, r.code(), command + ": " + r);
        return r.out();
    }

    static Keel.Result ok(Keel.Result result) {
        assertEquals(0, result.code(), result.toString());
        return result;
    }

    static void removeTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
