package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.TreeMap;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/**
 * The same layer unpacked by Keel and by GNU tar ({@code tar --xattrs --xattrs-include='*'
 * --numeric-owner -xpf}) gives the same tree: types, modes, owners, sizes, contents, link targets,
 * devices, mtimes, xattrs and hard-link groups. ({@code --xattrs-include='*'} because GNU tar
 * restores only {@code user.*} otherwise.)
 */
class GnuTarComparisonTest {
    /** A v2 file capability: cap_net_bind_service and cap_setfcap (bit 31: a byte of 0x80) permitted, effective. */
    static final byte[] CAPABILITY = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0};

    @TempDir
    Path tmp;

    @BeforeAll
    static void root() {
        assumeTrue(TestLibC.geteuid() == 0, "needs root: chown, mknod, trusted and security xattrs");
    }

    @Test
    void layerMadeByGnuTarFromARealTree() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        String s = Sh.q(src);
        String deep = "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20/d21/d22/d23/d24/d25";
        String longName = "n".repeat(120) + "/" + "m".repeat(200);
        Sh.run("set -e; cd " + s + "; umask 022"
                + "; mkdir -p etc bin tmp usr/lib " + deep + " " + "n".repeat(120)
                + "; echo hello > etc/hosts; printf 'x%.0s' $(seq 1 100000) > usr/lib/big"
                + "; head -c 3000000 /dev/urandom > usr/lib/random"
                + "; echo '#!/bin/sh' > bin/su; chmod 4755 bin/su; echo g > bin/wall; chmod 2711 bin/wall"
                + "; chmod 1777 tmp; chmod 0700 etc"
                + "; echo deep > " + deep + "/leaf"
                + "; echo long > " + longName
                + "; ln usr/lib/big usr/lib/big-hardlink; ln usr/lib/big bin/big-again"
                + "; ln -s ../usr/lib/big bin/rel-link; ln -s /usr/lib/random bin/abs-link; ln -s /nowhere bin/dangling"
                + "; ln -s usr/lib lib"
                + "; mkdir dev; mknod dev/null c 1 3; mknod dev/loop9 b 7 9; mkfifo dev/fifo"
                + "; chown 1000:1000 etc/hosts; chown 65534:65533 usr/lib/big; chown -h 12:34 bin/rel-link"
                + "; chown 4242:4343 " + deep + "/leaf"
                + "; touch -h -d '2001-02-03 04:05:06.123456789' bin/rel-link"
                + "; touch -d '1999-12-31 23:59:59.5' etc/hosts"
                + "; find . -mindepth 1 -type d -exec touch -d '2010-01-01 00:00:00' {} +");
        TestLibC.setXattr(src.resolve("bin/su"), "security.capability", CAPABILITY);
        TestLibC.setXattr(src.resolve("etc/hosts"), "user.comment", "a comment".getBytes(StandardCharsets.UTF_8));
        TestLibC.setXattr(src.resolve("usr/lib"), "trusted.keel", new byte[] {0, 1, 2, (byte) 0xff});
        TestLibC.setXattr(src.resolve("bin/rel-link"), "trusted.on-a-symlink", "yes".getBytes(StandardCharsets.UTF_8));
        // directory times are set last, after the files written into them
        Sh.run("cd " + s + " && touch -d '2010-01-01 00:00:00' bin usr/lib && touch -d '2011-11-11 11:11:11' .");

        Path layer = tmp.resolve("layer.tar");
        Sh.run("tar --xattrs --xattrs-include='*' --numeric-owner --format=posix -cf " + Sh.q(layer) + " -C " + s
                + " .");
        compare(Files.readAllBytes(layer));
    }

    @Test
    void layerMadeByCommonsCompressWithPaxRecords() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            dir(tar, "opt/", 0755, 0, 0);
            dir(tar, "opt/app/", 02775, 500, 501);
            file(tar, "opt/app/run", "#!/bin/sh\necho run\n", 04750, 0, 500, Instant.parse("2020-05-06T07:08:09.987654321Z"));
            file(tar, "opt/app/" + "ü".repeat(60) + "-unicode-name", "u", 0644, 2_000_000, 3_000_000,
                    Instant.parse("2021-01-01T00:00:00Z"));
            TarArchiveEntry x = new TarArchiveEntry("opt/app/with-xattrs");
            x.setSize(1);
            x.setMode(0640);
            x.setModTime(FileTime.from(Instant.parse("2022-02-02T02:02:02Z")));
            x.addPaxHeader("SCHILY.xattr.user.mime_type", "text/plain");
            x.addPaxHeader("SCHILY.xattr.trusted.md5", "0123456789abcdef");
            tar.putArchiveEntry(x);
            tar.write('x');
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("opt/app/" + "l".repeat(150), TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("../" + "t".repeat(200));
            link.setModTime(FileTime.from(Instant.parse("2018-01-01T00:00:00Z")));
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("opt/app/run-hardlink", TarArchiveEntry.LF_LINK);
            hard.setLinkName("opt/app/run");
            tar.putArchiveEntry(hard);
            tar.closeArchiveEntry();
            // entries grouped by directory, as every layer writer does (GNU tar sets a directory's
            // times when it leaves it; Keel, as containerd, at the end)
            file(tar, "opt/" + "long-".repeat(50) + "name", "long", 0600, 0, 0, Instant.parse("2019-01-01T00:00:00Z"));
        }
        compare(bytes.toByteArray());
    }

    @Test
    void laterEntriesReplaceEarlierOnesOfAnotherType() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Instant t = Instant.parse("2020-01-01T00:00:00Z");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            dir(tar, "a/", 0755, 0, 0);
            file(tar, "a/f", "file", 0644, 0, 0, t);
            file(tar, "a/d", "a file first", 0644, 0, 0, t);
            dir(tar, "a/d/", 0700, 0, 0); // file -> directory
            dir(tar, "a/x/", 0755, 0, 0);
            file(tar, "a/x", "empty directory -> file", 0600, 0, 0, t);
            file(tar, "a/s", "file -> symlink", 0644, 0, 0, t);
            TarArchiveEntry s = new TarArchiveEntry("a/s", TarArchiveEntry.LF_SYMLINK);
            s.setLinkName("f");
            s.setModTime(FileTime.from(t));
            tar.putArchiveEntry(s);
            tar.closeArchiveEntry();
            dir(tar, "a/", 0750, 7, 7); // directory over directory: metadata only
            dir(tar, "a/d/", 0711, 0, 0);
        }
        compare(bytes.toByteArray());
    }

    private void compare(byte[] layer) throws IOException {
        Path keel = Files.createDirectories(tmp.resolve("keel"));
        Path gnu = Files.createDirectories(tmp.resolve("gnu"));
        Path layerFile = tmp.resolve("compare.tar");
        Files.write(layerFile, layer);
        UnpackResult result;
        try (InputStream in = new ByteArrayInputStream(layer)) {
            result = new TarLayerUnpacker().unpack(in, MediaTypes.OCI_LAYER_TAR, keel, WhiteoutStyle.DELETE,
                    UnpackLimits.DEFAULT);
        }
        Sh.run("tar --xattrs --xattrs-include='*' --numeric-owner -xpf " + Sh.q(layerFile) + " -C " + Sh.q(gnu));
        TreeMap<String, String> expected = Manifest.of(gnu);
        TreeMap<String, String> actual = Manifest.of(keel);
        assertTrue(expected.size() > 3, "GNU tar unpacked something");
        assertEquals(String.join("\n", expected.values().stream().toList()).isEmpty(), false);
        assertEquals(render(expected), render(actual));
        assertEquals(layer.length, result.bytes());
        assertEquals(Manifest.sha256(layer), result.diffId().hex());
    }

    private static String render(TreeMap<String, String> manifest) {
        StringBuilder out = new StringBuilder();
        manifest.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
        return out.toString();
    }

    static void dir(TarArchiveOutputStream tar, String name, int mode, long uid, long gid) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_DIR);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setModTime(FileTime.from(Instant.parse("2015-06-07T08:09:10Z")));
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    static void file(TarArchiveOutputStream tar, String name, String content, int mode, long uid, long gid,
            Instant mtime) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setModTime(FileTime.from(mtime));
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }
}
