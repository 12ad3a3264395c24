package keel.storage.base;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a record so that a reader, or a driver started after kill -9 or a power cut, sees the old
 * content or the new, never a part: a temporary file beside it, fsync, rename over the target,
 * fsync the directory. A failure removes the temporary file; a crash leaves it, and start-up
 * removes every name with {@link #TEMP_PREFIX}.
 */
public final class AtomicFiles {
    public static final String TEMP_PREFIX = ".tmp-";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        Path temp = dir.resolve(TEMP_PREFIX + target.getFileName() + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet());
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(dir);
    }

    /** Deletes {@code file} and makes the deletion durable. */
    public static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        syncDirectory(file.getParent());
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
