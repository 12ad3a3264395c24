package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A daemon whose root is a small tmpfs (48 MiB): an import larger than the free space fails with a
 * clear "no space" error and leaves nothing behind (the free space comes back, no image is listed);
 * a container whose log cannot be written loses entries without blocking, and says how many once
 * space is back; afterwards everything works again.
 */
class DiskFullCliTest {
    static Keel keel;
    static Path base;

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("diskfull");
        base = Path.of(System.getProperty("keel.it.tmp")).resolve("diskfull");
        Files.createDirectories(keel.root);
        ok(Keel.exec(List.of("mount", "-t", "tmpfs", "-o", "size=48m", "keel-it-diskfull", keel.root.toString())));
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        ok(Keel.exec(List.of("tar", "-C", rootfs.toString(), "-cf", base.resolve("busybox.tar").toString(), ".")));
        ok(keel.keel("import", base.resolve("busybox.tar").toString(), "busybox:df"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        keel.close();
        Keel.Result umount = Keel.exec(List.of("umount", keel.root.toString()));
        assertEquals(0, umount.code(), umount.toString());
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(keel.root.toString()),
                "a mount under the test root is left");
    }

    private static Keel.Result ok(Keel.Result result) {
        assertEquals(0, result.code(), result.toString());
        return result;
    }

    private static long free() throws IOException {
        return Files.getFileStore(keel.root).getUsableSpace();
    }

    @Test
    void anImportLargerThanTheFreeSpaceFailsClearlyAndLeavesNothing() throws Exception {
        Path big = base.resolve("big");
        Files.createDirectories(big);
        try (OutputStream out = Files.newOutputStream(big.resolve("random.bin"))) {
            byte[] chunk = new byte[1 << 20];
            Random random = new Random(1);
            for (int i = 0; i < 64; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        Path tar = base.resolve("big.tar");
        ok(Keel.exec(List.of("tar", "-C", big.toString(), "-cf", tar.toString(), ".")));
        long before = free();

        Keel.Result imported = keel.keel("import", tar.toString(), "big:1");
        assertNotEquals(0, imported.code(), imported.toString());
        assertTrue(imported.err().toLowerCase(Locale.ROOT).contains("no space left"),
                "the error names the full disk: " + imported);
        assertFalse(ok(keel.keel("images")).out().contains("big"), "no partial image is listed");
        assertTrue(Math.abs(free() - before) < (1 << 20), "what the failed import wrote is removed: free "
                + before + " before, " + free() + " after");

        ok(keel.keel("import", base.resolve("busybox.tar").toString(), "busybox:again"));
        assertEquals("ok", ok(keel.keel("run", "--rm", "--network", "none", "busybox:again", "echo", "ok")).out()
                .trim());
    }

    @Test
    void aContainerLogsPastAFullDiskWithoutBlockingAndSaysWhatWasLost() throws Exception {
        Keel.Result run = ok(keel.keel("run", "-d", "--network", "none", "--name", "chatty", "busybox:df", "sh", "-c",
                "echo before; i=0; while [ ! -e /go ]; do echo line-$i; i=$((i+1)); done; echo after"));
        assertFalse(run.out().isBlank());
        Path filler = keel.root.resolve("filler");
        // fill what is left: the log's writes fail from here on
        Keel.exec(List.of("dd", "if=/dev/zero", "of=" + filler, "bs=1M"));
        Thread.sleep(500);
        Files.delete(filler);
        ok(keel.keel("exec", "chatty", "touch", "/go"));
        assertEquals("0", ok(keel.keel("wait", "chatty")).out().trim(), "the container never blocked on its log");

        String logs = ok(keel.keel("logs", "chatty")).out() + ok(keel.keel("logs", "chatty")).err();
        assertTrue(logs.contains("before"), logs.length() > 2000 ? logs.substring(0, 2000) : logs);
        assertTrue(logs.contains("after"), "the entries after the space came back are there");
        assertTrue(logs.matches("(?s).*keel: \\d+ log entries were lost: No space left on device.*"),
                "the log says what was lost");
        ok(keel.keel("rm", "chatty"));
    }
}
