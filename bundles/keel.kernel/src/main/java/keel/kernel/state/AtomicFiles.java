package keel.kernel.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Writes a file so that a reader (or a daemon restarted after kill -9) sees the old content or the
 * new, never a part: write a temporary file beside it, fsync it, rename it over the target, fsync
 * the directory. A failure (disk full) leaves the old file as it was and removes the temporary one.
 */
public final class AtomicFiles {
    /** Temporary files carry this prefix, so that start-up can remove the debris of a crash. */
    public static final String TEMP_PREFIX = ".tmp-";

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) {
        write(target, content, false, true);
    }

    /** As {@link #write}, but readable by the owner only (mode 0600 from its creation on). */
    public static void writePrivate(Path target, byte[] content) {
        write(target, content, true, true);
    }

    /**
     * {@link #write} without the fsync of the directory: after a machine crash the file holds the
     * old content or the new, never a part, but it may be the old. For state that means nothing
     * after the machine stops (a running process's pid); it saves one journal commit (~3 ms here).
     */
    public static void writeForThisBoot(Path target, byte[] content) {
        write(target, content, false, false);
    }

    /**
     * {@link #write} without any fsync: a reader and a daemon restarted after kill -9 still see the
     * old content or the new, never a part, but after a machine crash the file may be old, empty or
     * missing. Only for files made again from durable records when they are found so (a
     * container's hostname, hosts and resolv.conf); it saves two journal commits per file.
     */
    public static void writeDerived(Path target, byte[] content) {
        write(target, content, false, false, false);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly, boolean durable) {
        write(target, content, ownerOnly, true, durable);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly, boolean synced, boolean durable) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve(TEMP_PREFIX + target.getFileName() + "-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(temp);
            java.nio.file.attribute.FileAttribute<?>[] mode = ownerOnly ? new java.nio.file.attribute.FileAttribute<?>[] {
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))}
                    : new java.nio.file.attribute.FileAttribute<?>[0];
            try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), mode)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                if (synced) {
                    out.force(true);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the filesystem of " + dir + " cannot rename atomically", e);
            }
            if (durable) {
                syncDirectory(dir);
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new KeelException(ErrorKind.INTERNAL, "cannot write " + target + ": " + describe(e), e);
        }
    }

    /** Removes the temporary files a crash left in {@code dir}; returns how many. */
    public static int removeDebris(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (var entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path debris : entries) {
                deleteQuietly(debris);
                removed++;
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot clean " + dir + ": " + describe(e), e);
        }
        return removed;
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the next start removes debris by its prefix
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (message != null && message.contains("No space left on device")) {
            return "no space left on device; free space and retry";
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
