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

/**
 * Images an operator makes offline: a busybox root filesystem imported, named, listed, removed; and
 * the removal of an image containers use (refused; with -f only its names go while a stopped
 * container needs it).
 */
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

    @Test
    void anImageInUseIsKeptForItsContainersEvenWithForce() throws Exception {
        String id = keel.keel("import", tar.toString(), "busybox:used").out().trim();
        assertEquals(0, keel.keel("run", "-d", "--name", "img-user", "--network", "none", "busybox:used", "sleep",
                "600").code());
        Keel.Result refused = keel.keel("rmi", "busybox:used");
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("used by container img-user"), refused.err());
        Keel.Result running = keel.keel("rmi", "-f", "busybox:used");
        assertEquals(1, running.code(), running.toString());
        assertTrue(running.err().contains("running container img-user"), running.err());
        assertTrue(keel.keel("images").out().contains("used"));

        // stopped: -f takes the name, the image stays (dangling) for the container, which starts and commits
        assertEquals(0, keel.keel("stop", "-t", "0", "img-user").code());
        Keel.Result forced = keel.keel("rmi", "-f", "busybox:used");
        assertEquals(0, forced.code(), forced.toString());
        assertEquals(List.of("Untagged: docker.io/library/busybox:used"), forced.out().lines().toList());
        assertTrue(keel.keel("images").out().lines().anyMatch(l -> l.startsWith("<none>") && l.contains(id
                .substring(7, 19))), keel.keel("images").out());
        assertEquals(0, keel.keel("image", "prune", "-a", "-f").code()); // system prune would take the container
        assertTrue(keel.keel("images", "-q").out().contains(id.substring(7, 19)), "prune took an image in use");
        assertEquals(0, keel.keel("start", "img-user").code());
        assertEquals(0, keel.keel("exec", "img-user", "touch", "/committed").code());
        Keel.Result commit = keel.keel("commit", "img-user", "busybox:committed");
        assertEquals(0, commit.code(), commit.toString());
        assertEquals(0, keel.keel("rm", "-f", "img-user").code());
        Keel.Result child = keel.keel("run", "--rm", "--network", "none", "busybox:committed", "ls", "/committed");
        assertEquals(0, child.code(), child.toString());

        // no container left: the dangling image goes with the next prune
        assertEquals(0, keel.keel("rmi", "busybox:committed").code());
        assertEquals(0, keel.keel("image", "prune", "-f").code());
        assertFalse(keel.keel("images", "-q").out().contains(id.substring(7, 19)), keel.keel("images").out());
    }
}
