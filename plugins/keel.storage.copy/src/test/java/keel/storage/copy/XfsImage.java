package keel.storage.copy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import keel.storage.testsuite.TestMounts;

/** An XFS filesystem with reflink in a loop-mounted image file, where mkfs.xfs and loop devices exist. */
final class XfsImage {
    private XfsImage() {
    }

    static boolean available() {
        return TestMounts.isRoot() && Files.isExecutable(Path.of("/sbin/mkfs.xfs"))
                && Files.exists(Path.of("/dev/loop-control"));
    }

    /** Makes {@code dir}/xfs.img and mounts it at {@code dir}/mnt; returns the mount point. */
    static Path mount(Path dir) throws IOException, InterruptedException {
        Path image = dir.resolve("xfs.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(512L << 20);
        }
        run("/sbin/mkfs.xfs", "-q", "-m", "reflink=1", image.toString());
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        run("mount", "-o", "loop", image.toString(), mnt.toString());
        return mnt;
    }

    static void unmount(Path dir) throws IOException, InterruptedException {
        Path mnt = dir.resolve("mnt");
        if (!TestMounts.mountPointsUnder(mnt).isEmpty()) {
            TestMounts.unmount(mnt); // the loop device was set up with autoclear: it goes too
        }
        Files.deleteIfExists(mnt);
        Files.deleteIfExists(dir.resolve("xfs.img"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
