package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the daemon in the middle of {@code keel load}, while a large layer is being
 * written into the content store: after the restart no partial image is listed, no half-written
 * blob is left in the ingest directory, and the same load then completes and runs.
 */
class KilledLoadCliTest {
    private static final long BIG = 160L << 20;

    Keel keel;

    @AfterEach
    void stopDaemon() throws Exception {
        if (keel != null) {
            keel.close();
        }
    }

    @Test
    void aDaemonKilledInTheMiddleOfALoadLeavesNoImageAndTheNextLoadCompletes() throws Exception {
        keel = new Keel("load-killed");
        Keel.deleteTree(keel.root); // a root an earlier run of the suite left would already hold the image
        Path base = keel.root.getParent().resolve("archive");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        Path busybox = base.resolve("busybox.tar");
        assertEquals(0, Keel.exec(List.of("tar", "-C", rootfs.toString(), "-cf", busybox.toString(), ".")).code());
        Path data = Files.createDirectories(base.resolve("data"));
        // random bytes: nothing compresses or deduplicates them, so writing the blob takes its time
        assertEquals(0, Keel.exec(List.of("sh", "-c", "head -c " + BIG + " /dev/urandom > " + data.resolve("big.bin")))
                .code());
        Path big = base.resolve("big.tar");
        assertEquals(0, Keel.exec(List.of("tar", "-C", data.toString(), "-cf", big.toString(), "big.bin")).code());
        Path archive = DockerArchives.write(base.resolve("image"), "keel/loaded:big", "{\"Cmd\":[\"sh\"]}", busybox,
                big);
        Files.delete(big);
        Files.delete(data.resolve("big.bin"));

        assertEquals(0, keel.keel("version").code()); // the daemon runs
        long pid = keel.daemonPid();
        Path output = keel.root.getParent().resolve("killed-load.out");
        Process client = Keel.builder(keel.command(List.of("load", "-i", archive.toString()))).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        Path ingest = keel.root.resolve("content/ingest");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (largestIn(ingest) < (16L << 20)) { // the big layer is on its way in
            assertTrue(client.isAlive(), "the load ended before it was caught writing: " + Files.readString(output));
            assertTrue(System.nanoTime() < deadline, "the load never wrote 16 MiB of a blob");
            Thread.sleep(2);
        }
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor());
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, client.exitValue(), Files.readString(output));
        assertTrue(largestIn(ingest) > 0, "the blob was not half-written when the daemon died");

        Keel.Result images = keel.keel("images"); // a new daemon
        assertEquals(0, images.code(), images.toString());
        assertTrue(keel.daemonPid() > 0 && keel.daemonPid() != pid);
        assertFalse(images.out().contains("keel/loaded"), images.toString());
        assertEquals(0, largestIn(ingest), "half-written blobs are left in content/ingest");

        Keel.Result load = keel.keel("load", "-i", archive.toString());
        assertEquals(0, load.code(), load.toString());
        assertEquals("Loaded image: keel/loaded:big", load.out().strip());
        Keel.Result run = keel.keel("run", "--rm", "--network", "none", "keel/loaded:big", "sh", "-c",
                "wc -c < /big.bin");
        assertEquals(String.valueOf(BIG), run.out().strip(), run.toString());
    }

    /** The size of the largest file in {@code dir}; 0 when there is none. */
    private static long largestIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // renamed into the store meanwhile
                }
            }).max().orElse(0);
        }
    }
}
