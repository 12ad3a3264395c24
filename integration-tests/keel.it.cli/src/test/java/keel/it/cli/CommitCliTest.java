package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * keel diff, commit, export and cp on containers from an imported busybox image (no network):
 * the committed image runs with the changes, here and in podman; cp through hostile symlinks in
 * the container writes nothing outside its root.
 */
class CommitCliTest {
    static final String IMAGE = "busybox:commit-it";
    static final String CHANGES = "echo hello-commit > /changed-file; echo commit:x:1000: >> /etc/group;"
            + " rm /bin/vi; rm -rf /usr/sbin; mkdir -p /data/sub; echo deep > /data/sub/f;"
            + " ln -s / /rootlink; ln -s ../../../../../../.. /up; ln -s /etc /etclink";
    static Keel keel;
    static Path base;

    @BeforeAll
    static void image() throws Exception {
        keel = new Keel("commit");
        base = Path.of(System.getProperty("keel.it.tmp")).resolve("commit");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Path tar = base.resolve("busybox.tar");
        assertEquals(0, Keel.exec(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).code());
        ok(keel.keel("import", tar.toString(), IMAGE));
        ok(keel.keel("run", "--name", "commit-src", "--network", "none", IMAGE, "sh", "-c", CHANGES));
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        keel.close();
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(keel.root.toString()),
                "a mount under the test root is left");
    }

    static Keel.Result ok(Keel.Result result) {
        assertEquals(0, result.code(), result.toString());
        return result;
    }

    /** Runs a shell command line (for stdin and stdout redirections of the client). */
    static Keel.Result shell(String line) throws Exception {
        String client = keel.command(List.of()).stream().collect(Collectors.joining(" "));
        return Keel.exec(List.of("bash", "-c", line.replace("KEEL", client)));
    }

    @Test
    void diffListsTheChangesAsDockerDoes() throws Exception {
        List<String> diff = ok(keel.keel("diff", "commit-src")).out().lines().toList();
        for (String line : List.of("C /bin", "D /bin/vi", "A /changed-file", "A /data", "A /data/sub",
                "A /data/sub/f", "C /etc", "C /etc/group", "A /etclink", "A /rootlink", "A /up", "C /usr",
                "D /usr/sbin")) {
            assertTrue(diff.contains(line), line + " missing from:\n" + String.join("\n", diff));
        }
        assertFalse(diff.stream().anyMatch(l -> l.startsWith("D /usr/sbin/")), "a deleted directory is one line");
        assertFalse(diff.stream().anyMatch(l -> l.contains("/bin/busybox")), "an untouched file is not listed");
        assertFalse(diff.stream().anyMatch(l -> l.contains("/etc/hosts") || l.contains("/etc/resolv.conf")),
                "the runtime's mount targets are not the container's changes: " + diff);
        Keel.Result missing = keel.keel("diff", "no-such-container");
        assertTrue(missing.code() != 0 && missing.err().contains("no-such-container"), missing.toString());
    }

    @Test
    void aCommittedImageRunsWithTheChangesAndItsConfig() throws Exception {
        String id = ok(keel.keel("commit", "-m", "the commit test", "-a", "Keel Test <it@keel>", "-c",
                "ENV COMMITTED=yes", "-c", "CMD [\"cat\", \"/changed-file\"]", "commit-src", "committed:1"))
                .out().trim();
        assertTrue(id.startsWith("sha256:"), id);
        assertEquals("hello-commit", ok(keel.keel("run", "--rm", "--network", "none", "committed:1")).out().trim(),
                "the CMD given with -c runs");
        String seen = ok(keel.keel("run", "--rm", "--network", "none", "committed:1", "sh", "-c",
                "ls /bin/vi 2>&1; ls -d /usr/sbin 2>&1; cat /data/sub/f; grep commit: /etc/group; echo $COMMITTED;"
                        + " readlink /up")).out();
        assertTrue(seen.contains("/bin/vi: No such file"), seen);
        assertTrue(seen.contains("/usr/sbin: No such file"), seen);
        assertTrue(seen.contains("deep\ncommit:x:1000:\nyes\n../../../../../../..\n"), seen);
        assertTrue(ok(keel.keel("history", "committed:1")).out().contains("the commit test"));

        Keel.Result badChange = keel.keel("commit", "-c", "RUN rm -rf /", "commit-src", "bad:1");
        assertTrue(badChange.code() != 0, badChange.toString());
        assertTrue(badChange.err().contains("RUN rm -rf /"), badChange.toString());
        assertFalse(keel.keel("images").out().contains("bad "), "a refused commit made no image");

        // the committed image as another runtime sees it: docker-archive into podman
        Path archive = base.resolve("committed.tar");
        ok(keel.keel("save", "--format", "docker-archive", "-o", archive.toString(), "committed:1"));
        Podman podman = new Podman(Files.createTempDirectory(base, "podman-"));
        try {
            String loaded = podman.run("load", "-i", archive.toString());
            String name = loaded.lines().filter(l -> l.startsWith("Loaded image")).findFirst().orElseThrow()
                    .replaceFirst("Loaded image\\(?s?\\)?: *", "").trim();
            assertEquals("hello-commit", podman.run("run", "--rm", "--network", "none", "--ulimit",
                    "nofile=1024:1024", "--ulimit", "nproc=1024:1024", name, "cat", "/changed-file").trim());
            assertEquals("", podman.run("run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024",
                    "--ulimit", "nproc=1024:1024", name, "sh", "-c", "ls /bin/vi /usr/sbin 2>/dev/null; true").trim(),
                    "the deletions are whiteouts podman applies");
            podman.run("rmi", name);
        } finally {
            podman.close();
        }
    }

    @Test
    void theCopyDriverCommitsTheSameChanges() throws Exception {
        try (Keel copy = new Keel("commit-copy")) {
            Keel.Result swap = copy.keel("swap", "storage", "copy");
            for (int i = 0; i < 100 && swap.code() != 0; i++) { // the drivers register just after the daemon starts
                Thread.sleep(100);
                swap = copy.keel("swap", "storage", "copy");
            }
            ok(swap);
            assertTrue(ok(copy.keel("info")).out().contains("copy"));
            ok(copy.keel("import", base.resolve("busybox.tar").toString(), IMAGE));
            ok(copy.keel("run", "--name", "copy-src", "--network", "none", IMAGE, "sh", "-c", CHANGES));
            List<String> diff = ok(copy.keel("diff", "copy-src")).out().lines().toList();
            for (String line : List.of("D /bin/vi", "A /changed-file", "A /data/sub/f", "C /etc/group", "D /usr/sbin")) {
                assertTrue(diff.contains(line), line + " missing from:\n" + String.join("\n", diff));
            }
            assertFalse(diff.stream().anyMatch(l -> l.startsWith("D /usr/sbin/")), "a deleted directory is one line");
            ok(copy.keel("commit", "copy-src", "copied:1"));
            String seen = ok(copy.keel("run", "--rm", "--network", "none", "copied:1", "sh", "-c",
                    "ls /bin/vi /usr/sbin 2>&1; cat /changed-file /data/sub/f")).out();
            assertTrue(seen.contains("/bin/vi: No such file") && seen.contains("/usr/sbin: No such file")
                    && seen.contains("hello-commit\ndeep\n"), seen);
            for (String id : copy.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
                ok(copy.keel("rm", "-f", id));
            }
        }
    }

    @Test
    void aRunningContainerIsPausedForItsCommitAndRunsOnAfter() throws Exception {
        ok(keel.keel("run", "-d", "--name", "commit-live", "--network", "none", IMAGE, "sh", "-c",
                "echo live > /live-file; exec sleep 600"));
        for (int i = 0; i < 100 && !keel.keel("diff", "commit-live").out().contains("A /live-file"); i++) {
            Thread.sleep(50);
        }
        assertEquals("A /live-file\n", ok(keel.keel("diff", "commit-live")).out(),
                "only what the container did, not the runtime's mount targets");
        ok(keel.keel("commit", "commit-live", "live:1"));
        assertTrue(ok(keel.keel("ps")).out().contains("commit-live"), "it runs on after the commit");
        assertEquals("live", ok(keel.keel("run", "--rm", "--network", "none", "live:1", "cat", "/live-file"))
                .out().trim());
        ok(keel.keel("commit", "--pause=false", "commit-live", "live:2"));

        // cp into and out of the running container
        Path file = Files.writeString(base.resolve("to-live.txt"), "copied in\n");
        ok(keel.keel("cp", file.toString(), "commit-live:/tmp/"));
        assertEquals("copied in", ok(keel.keel("exec", "commit-live", "cat", "/tmp/to-live.txt")).out().trim());
        ok(keel.keel("cp", file.toString(), "commit-live:/renamed.txt"));
        assertEquals("copied in", ok(keel.keel("exec", "commit-live", "cat", "/renamed.txt")).out().trim());
        Path out = base.resolve("from-live.txt");
        ok(keel.keel("cp", "commit-live:/live-file", out.toString()));
        assertEquals("live\n", Files.readString(out));
        ok(keel.keel("rm", "-f", "commit-live"));
    }

    @Test
    void exportWritesTheWholeRootAsATar() throws Exception {
        Path tar = base.resolve("export.tar");
        ok(keel.keel("export", "-o", tar.toString(), "commit-src"));
        List<String> names = ok(Keel.exec(List.of("tar", "-tf", tar.toString()))).out().lines().toList();
        assertTrue(names.contains("changed-file") && names.contains("bin/busybox") && names.contains("data/sub/f"),
                names.toString());
        assertFalse(names.contains("bin/vi") || names.stream().anyMatch(n -> n.startsWith("usr/sbin")),
                "deleted files are not exported");
        assertFalse(names.stream().anyMatch(n -> n.contains(".wh.")), "no whiteouts in an export");
        Path extracted = Files.createDirectories(base.resolve("export"));
        ok(Keel.exec(List.of("tar", "-C", extracted.toString(), "-xf", tar.toString())));
        assertEquals("hello-commit\n", Files.readString(extracted.resolve("changed-file")));
        Keel.Result piped = ok(shell("KEEL export commit-src | tar -tf - | grep -c changed-file"));
        assertEquals("1", piped.out().trim());
    }

    @Test
    void cpCopiesFilesAndTreesBothWaysAndAsTarStreams() throws Exception {
        Path out = Files.createDirectories(base.resolve("cp-out"));
        ok(keel.keel("cp", "commit-src:/changed-file", out.resolve("copy.txt").toString()));
        assertEquals("hello-commit\n", Files.readString(out.resolve("copy.txt")));
        ok(keel.keel("cp", "commit-src:/data", out.toString()));
        assertEquals("deep\n", Files.readString(out.resolve("data/sub/f")));
        Keel.Result missing = keel.keel("cp", "commit-src:/no-such-file", out.resolve("missing").toString());
        assertTrue(missing.code() != 0 && missing.err().contains("/no-such-file"), missing.toString());
        assertFalse(Files.exists(out.resolve("missing")), "a failed cp leaves nothing");

        Path tar = base.resolve("cp.tar");
        ok(shell("KEEL cp commit-src:/data - > " + tar));
        assertEquals(List.of("data/", "data/sub/", "data/sub/f"),
                ok(Keel.exec(List.of("tar", "-tf", tar.toString()))).out().lines().sorted().toList());

        Path in = Files.createDirectories(base.resolve("cp-in/tree/inner"));
        Files.writeString(in.resolve("file"), "in a tree\n");
        ok(keel.keel("cp", base.resolve("cp-in/tree").toString(), "commit-src:/data/"));
        ok(shell("tar -C " + base.resolve("cp-in") + " -cf - tree | KEEL cp - commit-src:/tmp"));
        Path back = Files.createDirectories(base.resolve("cp-back"));
        ok(keel.keel("cp", "commit-src:/data/tree", back.resolve("a").toString()));
        ok(keel.keel("cp", "commit-src:/tmp/tree", back.resolve("b").toString()));
        assertEquals("in a tree\n", Files.readString(back.resolve("a/inner/file")));
        assertEquals("in a tree\n", Files.readString(back.resolve("b/inner/file")));
    }

    @Test
    void cpThroughHostileSymlinksStaysInsideTheContainer() throws Exception {
        String planted = "keel-commit-it-planted-" + ProcessHandle.current().pid();
        Path source = Files.createDirectories(base.resolve("hostile-src"));
        Path file = Files.writeString(source.resolve(planted), "planted\n");
        List<Path> hostPaths = new ArrayList<>(List.of(Path.of("/", planted), Path.of("/etc", planted)));
        for (Path p = keel.root; p != null; p = p.getParent()) {
            hostPaths.add(p.resolve(planted));
        }
        ok(keel.keel("cp", file.toString(), "commit-src:/up/"));
        ok(keel.keel("cp", file.toString(), "commit-src:/rootlink/"));
        ok(keel.keel("cp", file.toString(), "commit-src:/etclink/"));
        ok(keel.keel("cp", file.toString(), "commit-src:/up/etc/" + planted + ".2"));
        ok(shell("tar -C " + source + " -cf - " + planted + " | KEEL cp - commit-src:/up/../../etclink"));
        for (Path host : hostPaths) {
            assertFalse(Files.exists(host, LinkOption.NOFOLLOW_LINKS), "cp wrote on the host: " + host);
        }
        assertFalse(Files.exists(Path.of("/etc", planted + ".2")), "cp wrote on the host's /etc");
        // ... and all of it landed inside the container's root
        Path back = Files.createDirectories(base.resolve("hostile-back"));
        for (String inside : List.of("/" + planted, "/etc/" + planted, "/etc/" + planted + ".2")) {
            Path copy = back.resolve("copy");
            ok(keel.keel("cp", "commit-src:" + inside, copy.toString()));
            assertEquals("planted\n", Files.readString(copy), inside);
            Files.delete(copy);
        }
        // reading through them reads the container's files, never the host's
        Path passwd = back.resolve("passwd");
        ok(keel.keel("cp", "commit-src:/up/etc/passwd", passwd.toString()));
        assertEquals(List.of("root", "nobody"), Files.readAllLines(passwd).stream().map(l -> l.split(":")[0]).toList());
    }

    /** podman with a storage root of this test's own, removed afterwards (nothing shared is touched). */
    static final class Podman implements AutoCloseable {
        static final String CGROUP_PARENT = "keel-commit-it-podman-" + ProcessHandle.current().pid();
        final Path dir;
        final Path runroot;

        Podman(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.runroot = Files.createTempDirectory(Path.of("/tmp"), "keel-it-podman-"); // podman: under 50 bytes
        }

        String run(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("podman", "--root", dir.resolve("root").toString(),
                    "--runroot", runroot.toString(), "--storage-driver", "vfs", "--cgroup-manager",
                    "cgroupfs", "--events-backend", "file", "--runtime", "runc", "--tmpdir", dir.resolve("tmp").toString()));
            command.addAll(List.of(args));
            if (args[0].equals("run")) { // crun refuses this host's hybrid cgroups; a cgroup parent of our own
                command.add(command.size() - args.length + 1, "--cgroup-parent=/" + CGROUP_PARENT);
            }
            Keel.Result result = Keel.exec(command);
            assertEquals(0, result.code(), String.join(" ", command) + "\n" + result);
            return result.out();
        }

        @Override
        public void close() throws Exception {
            for (Path own : List.of(dir, runroot)) {
                List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(own.toString())).toList();
                for (int i = mounts.size() - 1; i >= 0; i--) {
                    Keel.exec(List.of("umount", mounts.get(i)));
                }
                Keel.exec(List.of("rm", "-rf", own.toString()));
                assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(own.toString()),
                        "podman left a mount under " + own);
            }
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path hierarchy : hierarchies.toList()) {
                    Path parent = hierarchy.resolve(CGROUP_PARENT);
                    if (Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                        try (var dirs = Files.walk(parent)) { // rmdir, deepest first: fails if a process is left
                            for (Path cgroup : dirs.filter(Files::isDirectory)
                                    .sorted(java.util.Comparator.reverseOrder()).toList()) {
                                Files.delete(cgroup);
                            }
                        }
                    }
                }
            }
        }
    }
}
