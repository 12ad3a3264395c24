package keel.cgroup.testsuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Device nodes made with mknod(1) in a temporary directory, as an image layer could carry them:
 * allowed ones (null 1:3, zero 1:5) and forbidden ones (kmsg 1:11, the host's first disk).
 */
public final class DeviceNodes implements AutoCloseable {
    /**
     * Opens each node given as an argument for reading (the shell's own open(2)) and prints
     * {@code NAME: opened} or the shell's error, e.g. {@code cannot open ...: Operation not permitted}.
     */
    public static final String OPEN_EACH = "for n in \"$@\"; do (exec 3< \"$n\" && echo \"$n: opened\") 2>&1; done";

    private final Path dir;
    public final Path nullNode;
    public final Path zeroNode;
    public final Path kmsgNode;
    /** The host's first disk (a block device), or null when /sys/dev/block lists none. */
    public final Path diskNode;

    public DeviceNodes() throws IOException {
        dir = Files.createTempDirectory("keel-test-devices-");
        nullNode = mknod("null", "c", "1", "3");
        zeroNode = mknod("zero", "c", "1", "5");
        kmsgNode = mknod("kmsg", "c", "1", "11");
        String disk = firstDisk();
        diskNode = disk == null ? null : mknod("disk", "b", disk.split(":")[0], disk.split(":")[1]);
    }

    /** The first MAJ:MIN of /sys/dev/block that is not a loop or ram device. */
    private static String firstDisk() throws IOException {
        Path block = Path.of("/sys/dev/block");
        if (!Files.isDirectory(block)) {
            return null;
        }
        try (Stream<Path> entries = Files.list(block)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("7:") && !name.startsWith("1:"))
                    .sorted().findFirst().orElse(null);
        }
    }

    private Path mknod(String name, String type, String major, String minor) throws IOException {
        Path node = dir.resolve(name);
        try {
            Process mknod = new ProcessBuilder("mknod", node.toString(), type, major, minor).inheritIO().start();
            if (mknod.waitFor() != 0) {
                throw new IOException("mknod " + node + " " + type + " " + major + " " + minor + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return node;
    }

    public Path dir() {
        return dir;
    }

    /** Every node, allowed ones first. */
    public List<String> all() {
        return Stream.of(nullNode, zeroNode, kmsgNode, diskNode).filter(p -> p != null).map(Path::toString).toList();
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
