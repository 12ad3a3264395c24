package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Containers from an image (imported from a busybox rootfs, offline) on overlay snapshots and the
 * default bridge network, with a published port; everything cleaned up afterwards.
 */
class ImageRunCliTest {
    static Keel keel;

    @BeforeAll
    static void image() throws Exception {
        keel = new Keel("image-run");
        Path base = Path.of(System.getProperty("keel.it.tmp")).resolve("image-run");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Path tar = base.resolve("busybox.tar");
        assertEquals(0, Keel.exec(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).code());
        Keel.Result imported = keel.keel("import", tar.toString(), "busybox:it");
        assertEquals(0, imported.code(), imported.toString());
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        Keel.Result rm = keel.keel("network", "rm", "bridge");
        keel.close();
        assertEquals(0, rm.code(), rm.toString());
        String links = Keel.exec(List.of("ip", "-o", "link")).out();
        assertFalse(links.contains("keel0"), "the bridge is left:\n" + links);
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(keel.root.toString()),
                "a mount under the test root is left");
    }

    @Test
    void aContainerFromAnImageSeesItsFilesAndWritesOnlyItsOwnLayer() throws Exception {
        Keel.Result first = keel.keel("run", "--rm", "--network", "none", "busybox:it", "sh", "-c",
                "echo changed > /etc/motd; rm /bin/vi; cat /etc/motd; ls /bin/vi 2>&1; id -u nobody");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().startsWith("changed\n"), first.out());
        assertTrue(first.out().contains("No such file"), first.out());
        assertTrue(first.out().trim().endsWith("65534"), first.out());
        Keel.Result second = keel.keel("run", "--rm", "--network", "none", "busybox:it", "ls", "/bin/vi");
        assertEquals(0, second.code(), "the image's layer must be untouched: " + second);
        assertEquals("65534", keel.keel("run", "--rm", "--network", "none", "-u", "nobody", "busybox:it", "id", "-u")
                .out().trim());
    }

    @Test
    void theDefaultBridgeGivesAnAddressAndAPublishedPortAnswersOnLoopback() throws Exception {
        Keel.Result addr = keel.keel("run", "--rm", "busybox:it", "ip", "-4", "-o", "addr", "show", "eth0");
        assertEquals(0, addr.code(), addr.toString());
        assertTrue(addr.out().contains("inet 172.") || addr.out().contains("inet 10."), addr.out());

        Keel.Result web = keel.keel("run", "-d", "--name", "web", "-p", "127.0.0.1:18080:80", "busybox:it", "sh",
                "-c", "mkdir -p /www && echo served-by-keel > /www/index.html && exec httpd -f -p 80 -h /www");
        assertEquals(0, web.code(), web.toString());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String body = "";
        for (int i = 0; i < 50 && !body.contains("served-by-keel"); i++) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:18080/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        assertTrue(body.contains("served-by-keel"), body);

        Keel.Result taken = keel.keel("run", "--rm", "-p", "127.0.0.1:18080:80", "busybox:it", "true");
        assertEquals(125, taken.code(), taken.toString());
        assertTrue(taken.err().contains("18080"), taken.err());
        assertEquals(1, keel.keel("ps", "-aq").out().lines().count(), "the refused --rm run left a container");
        assertEquals(0, keel.keel("rm", "-f", "web").code());
        String links = Keel.exec(List.of("ip", "-o", "link")).out();
        assertFalse(links.contains("veth"), "a veth is left:\n" + links);
    }
}
