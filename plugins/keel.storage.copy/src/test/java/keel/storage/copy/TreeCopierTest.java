package keel.storage.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import keel.storage.base.Dir;
import keel.storage.base.FileTrees;
import keel.storage.base.Libc;
import keel.storage.base.Stat;
import keel.storage.testsuite.TestMounts;

/** What a copy keeps: everything {@code cp -a} does, compared entry by entry through statx. */
class TreeCopierTest {
    /** A file capability (VFS_CAP_REVISION_2, effective): cap_net_bind_service permitted. */
    private static final byte[] CAPABILITY = {1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] NOT_UTF8 = {'n', (byte) 0xff, (byte) 0xfe, '.', 'b', 'i', 'n'};

    private Path base;
    private Path source;

    @BeforeEach
    void tree() throws IOException {
        assumeTrue(TestMounts.isRoot(), "owners, device nodes and trusted xattrs need root");
        base = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "copier-");
        source = Files.createDirectory(base.resolve("source"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (base != null) {
            FileTrees.delete(base);
        }
    }

    private static void check(int rc, String what) {
        assertEquals(0, rc, () -> what + ": " + Libc.describe(Libc.errno()));
    }

    private static byte[] c(Path p) {
        return Libc.cstr(p);
    }

    private static void times(Path p, long seconds, int nanos) {
        check(Libc.utimensat(Libc.AT_FDCWD, c(p), new long[] {seconds - 100, 7, seconds, nanos},
                Libc.AT_SYMLINK_NOFOLLOW), "utimensat " + p);
    }

    private void buildHostileTree() throws IOException {
        Path file = source.resolve("setuid-tool");
        Files.writeString(file, "#!/bin/true\n");
        check(Libc.fchownat(Libc.AT_FDCWD, c(file), 1234, 5678, 0), "chown");
        check(Libc.fchmodat(Libc.AT_FDCWD, c(file), 04755, 0), "chmod");
        TestMounts.setXattr(file, "user.note", "hello");
        TestMounts.setXattr(file, "trusted.keel", "t");
        check(Libc.lsetxattr(c(file), Libc.cstr("security.capability"), CAPABILITY, CAPABILITY.length, 0), "setcap");
        times(file, 1_600_000_000L, 123_456_789);

        Files.createDirectories(source.resolve("sub"));
        Files.writeString(source.resolve("hard1"), "shared");
        Files.createLink(source.resolve("sub/hard2"), source.resolve("hard1"));
        check(Libc.mknodat(Libc.AT_FDCWD, c(source.resolve("fifo")), Libc.S_IFIFO | 0640, 0), "mkfifo");
        check(Libc.mknodat(Libc.AT_FDCWD, c(source.resolve("null")), Libc.S_IFCHR | 0666, Libc.makedev(1, 3)),
                "mknod c");
        check(Libc.mknodat(Libc.AT_FDCWD, c(source.resolve("disk")), Libc.S_IFBLK | 0600, Libc.makedev(259, 70000)),
                "mknod b");
        check(Libc.mknodat(Libc.AT_FDCWD, c(source.resolve("sock")), Libc.S_IFSOCK | 0755, 0), "mknod s");
        check(Libc.fchownat(Libc.AT_FDCWD, c(source.resolve("null")), 7, 8, 0), "chown null");
        times(source.resolve("null"), 1_500_000_000L, 1);

        Path link = source.resolve("passwd-link");
        Files.createSymbolicLink(link, Path.of("../../../../etc/passwd"));
        check(Libc.fchownat(Libc.AT_FDCWD, c(link), 42, 43, Libc.AT_SYMLINK_NOFOLLOW), "lchown");
        TestMounts.setXattr(link, "trusted.on-a-link", "l");
        times(link, 1_400_000_000L, 999_999_999);
        Files.createSymbolicLink(source.resolve("root-link"), Path.of("/"));

        try (RandomAccessFile sparse = new RandomAccessFile(source.resolve("sparse").toFile(), "rw")) {
            sparse.setLength(64L << 20);
            sparse.seek(32L << 20);
            sparse.write('m');
        }
        Files.createFile(source.resolve("empty"));
        int fd = Libc.openat(Libc.AT_FDCWD, c(source), Libc.O_RDONLY | Libc.O_DIRECTORY, 0);
        int odd = Libc.openat(fd, Libc.cstr(NOT_UTF8), Libc.O_WRONLY | Libc.O_CREAT, 0700);
        assertTrue(odd >= 0);
        Libc.close(odd);
        Libc.close(fd);

        Path locked = Files.createDirectories(source.resolve("locked/inner"));
        Files.writeString(locked.resolve("secret"), "s");
        Path sticky = Files.createDirectories(source.resolve("tmp"));
        check(Libc.fchmodat(Libc.AT_FDCWD, c(sticky), 01777, 0), "chmod sticky");
        Path setgid = Files.createDirectories(source.resolve("shared"));
        check(Libc.fchownat(Libc.AT_FDCWD, c(setgid), 0, 50, 0), "chown setgid dir");
        check(Libc.fchmodat(Libc.AT_FDCWD, c(setgid), 02775, 0), "chmod setgid");
        TestMounts.setXattr(setgid, "user.dir", "d");
        times(locked.resolve("secret"), 1_300_000_000L, 5);
        times(locked.resolve(".."), 1_200_000_000L, 6); // "locked/inner/.." is "locked"
        times(locked, 1_250_000_000L, 7);
        check(Libc.fchmodat(Libc.AT_FDCWD, c(source.resolve("locked")), 0, 0), "chmod 000");
        times(source.resolve("locked"), 1_200_000_000L, 6);
        check(Libc.fchmodat(Libc.AT_FDCWD, c(source), 0751, 0), "chmod root");
        times(source, 1_100_000_000L, 42);
    }

    @Test
    void aCopyKeepsEverythingCpDashAKeeps() throws IOException {
        buildHostileTree();
        Path target = base.resolve("target");
        TreeCopier.Result result = TreeCopier.copy(source, target, true);
        assertEquals(6, result.clonedFiles() + result.copiedFiles(), "regular files, a hard link once: " + result);

        Map<String, String> expected = describe(source);
        Map<String, String> actual = describe(target);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertEquals(expected.get(name), actual.get(name), name);
        }
        try (Dir d = Dir.open(target)) {
            Stat one = d.stat("hard1".getBytes(StandardCharsets.US_ASCII));
            try (Dir sub = d.child("sub".getBytes(StandardCharsets.US_ASCII))) {
                assertEquals(one.ino(), sub.stat("hard2".getBytes(StandardCharsets.US_ASCII)).ino(),
                        "hard links stay links");
            }
            Stat sparse = d.stat("sparse".getBytes(StandardCharsets.US_ASCII));
            assertEquals(64L << 20, sparse.size());
            assertTrue(sparse.blocks() * 512 < (1 << 20), "holes stay holes: " + sparse.blocks() * 512 + " bytes");
        }
        assertEquals("root:x:0:0", Files.readAllLines(Path.of("/etc/passwd")).get(0).substring(0, 10));
    }

    /** Every entry as "type mode uid gid size rdev mtime xattrs [link target]"; atime is not compared. */
    private static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Dir d = Dir.open(root)) {
            out.put(".", line(d.stat(), xattrs(d.procPath(new byte[0])), null));
            walk(d, "", out);
        }
        return out;
    }

    private static void walk(Dir dir, String prefix, Map<String, String> out) throws IOException {
        for (Dir.Entry e : dir.entries()) {
            Stat st = dir.stat(e.name());
            String name = prefix + hex(e.name());
            String target = null;
            if (st.isSymlink()) {
                byte[] buf = new byte[4096];
                long n = Libc.readlinkat(dir.fd(), Libc.cstr(e.name()), buf, buf.length);
                target = new String(buf, 0, (int) n, StandardCharsets.UTF_8);
            }
            out.put(name, line(st, xattrs(dir.procPath(e.name())), target));
            if (st.isDirectory()) {
                try (Dir child = dir.child(e.name())) {
                    walk(child, name + "/", out);
                }
            }
        }
    }

    private static String line(Stat st, String xattrs, String target) {
        return String.format("%o %o %d:%d size=%d rdev=%d:%d mtime=%d.%09d %s%s", st.type(), st.permissions(),
                st.uid(), st.gid(), st.isDirectory() ? 0 : st.size(), st.rdevMajor(), st.rdevMinor(), st.mtimeSec(),
                st.mtimeNsec(), xattrs, target == null ? "" : " -> " + target);
    }

    private static String xattrs(byte[] path) {
        byte[] list = new byte[4096];
        long n = Libc.llistxattr(path, list, list.length);
        List<String> found = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] == 0) {
                byte[] name = java.util.Arrays.copyOfRange(list, start, i + 1);
                byte[] value = new byte[4096];
                long len = Libc.lgetxattr(path, name, value, value.length);
                found.add(new String(name, 0, name.length - 1, StandardCharsets.UTF_8) + "="
                        + hex(java.util.Arrays.copyOf(value, (int) Math.max(len, 0))));
                start = i + 1;
            }
        }
        found.sort(null);
        return found.toString();
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
        }
        return s.toString();
    }

    @Test
    void theCapabilityAndSetuidSurviveTheOwnerChange() throws IOException {
        buildHostileTree();
        Path target = base.resolve("target");
        TreeCopier.copy(source, target, false);
        byte[] cap = new byte[64];
        long n = Libc.lgetxattr(c(target.resolve("setuid-tool")), Libc.cstr("security.capability"), cap, cap.length);
        assertArrayEquals(CAPABILITY, java.util.Arrays.copyOf(cap, (int) n));
        try (Dir d = Dir.open(target)) {
            assertEquals(04755, d.stat("setuid-tool".getBytes(StandardCharsets.US_ASCII)).permissions());
        }
    }

    @Test
    void aMountInsideTheSourceIsRefusedNotCopied() throws IOException {
        Path inner = Files.createDirectories(source.resolve("mnt"));
        Path other = Files.createDirectories(base.resolve("other"));
        Files.writeString(other.resolve("host-file"), "h");
        TestMounts.mount(List.of(new keel.api.runtime.Mount("", "bind", other.toString(), List.of("bind"))), inner);
        try {
            IOException e = assertThrows(IOException.class, () -> TreeCopier.copy(source, base.resolve("t"), true));
            assertTrue(e.getMessage().contains("another mount"), e.getMessage());
        } finally {
            TestMounts.unmount(inner);
        }
    }
}
