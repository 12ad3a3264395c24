package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Images an operator makes offline: a busybox root filesystem imported, named, listed, removed. */
class ImageCliTest {
    static Keel keel;
    static Path tar;

    @BeforeAll
    static void busyboxTar() throws Exception {
        keel = new Keel("images");
        Path base = Path.of(System.getProperty("keel.it.tmp")).resolve("images");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        tar = base.resolve("busybox.tar.gz");
        Keel.Result tarred = Keel.exec(List.of("tar", "-C", rootfs.toString(), "-czf", tar.toString(), "."));
        assertEquals(0, tarred.code(), tarred.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        keel.close();
    }

    @Test
    void importTagListHistoryAndRemove() throws Exception {
        Keel.Result imported = keel.keel("import", tar.toString(), "busybox:imported");
        assertEquals(0, imported.code(), imported.toString());
        String id = imported.out().trim();
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);

        Keel.Result images = keel.keel("images");
        assertTrue(images.out().lines().anyMatch(l -> l.matches("busybox\\s+imported\\s+" + id.substring(7, 19) + ".*")),
                images.out());
        assertEquals(0, keel.keel("tag", "busybox:imported", "127.0.0.1:5000/tools/busybox:v1").code());
        Keel.Result json = keel.keel("images", "--format", "json");
        assertTrue(json.out().contains("\"docker.io/library/busybox:imported\""), json.out());
        assertTrue(json.out().contains("\"127.0.0.1:5000/tools/busybox:v1\""), json.out());
        assertTrue(keel.keel("history", "busybox:imported").out().contains("keel import busybox.tar.gz"));
        assertTrue(keel.keel("inspect", "busybox:imported").out().contains("\"diffIds\""));

        Keel.Result untag = keel.keel("rmi", "127.0.0.1:5000/tools/busybox:v1");
        assertEquals(List.of("Untagged: 127.0.0.1:5000/tools/busybox:v1"), untag.out().lines().toList());
        Keel.Result rmi = keel.keel("rmi", id.substring(7, 19));
        assertEquals(0, rmi.code(), rmi.toString());
        assertTrue(rmi.out().contains("Deleted: sha256:"), rmi.out());
        assertFalse(keel.keel("images").out().contains("imported"));

        Keel.Result missing = keel.keel("rmi", "nothing:here");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such image: nothing:here"), missing.err());
        Keel.Result broken = keel.keel("import", keel.root.resolve("no-such.tar").toString(), "x");
        assertEquals(125, broken.code());
        assertTrue(broken.err().contains("cannot import"), broken.err());
    }
}
