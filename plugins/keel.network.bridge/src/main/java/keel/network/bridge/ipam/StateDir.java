package keel.network.bridge.ipam;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Supplier;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * The driver's state directory: files written atomically (temporary file beside the target,
 * fsync, rename, fsync of the directory), and one lock that serialises changes across threads,
 * driver instances and processes ({@code lock}: an fcntl lock, plus a wait on the JVM's own
 * overlapping-lock check, which two driver instances in one framework would otherwise trip).
 */
public final class StateDir {
    static final String TEMP_PREFIX = ".tmp-";
    private static final long LOCK_WAIT_MILLIS = 30_000;

    private final Path root;
    private final ThreadLocal<Integer> depth = ThreadLocal.withInitial(() -> 0);

    public StateDir(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** Runs {@code work} holding the directory's lock; reentrant on one thread. */
    public <T> T locked(Supplier<T> work) {
        if (depth.get() > 0) {
            return nested(work);
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot create the network state directory " + root + ": "
                    + e.getMessage(), e);
        }
        try (FileChannel channel = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = acquire(channel)) {
            removeDebris(); // every write happens under the lock, so a temporary file seen here is a crash's
            return nested(work);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot lock " + root.resolve("lock") + ": " + e.getMessage(), e);
        }
    }

    private <T> T nested(Supplier<T> work) {
        depth.set(depth.get() + 1);
        try {
            return work.get();
        } finally {
            depth.set(depth.get() - 1);
        }
    }

    private FileLock acquire(FileChannel channel) throws IOException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MILLIS;
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException held) {
                // another thread or driver instance of this JVM holds it: wait as for another process
            }
            if (System.currentTimeMillis() > deadline) {
                throw new KeelException(ErrorKind.UNAVAILABLE, "the network state in " + root + " stayed locked for "
                        + LOCK_WAIT_MILLIS / 1000 + " s by another driver instance: retry");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KeelException(ErrorKind.UNAVAILABLE, "interrupted while waiting for the lock of " + root);
            }
        }
    }

    /** The text of {@code name} (relative to the root), if it exists. */
    public Optional<String> read(String name) {
        try {
            return Optional.of(Files.readString(root.resolve(name), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + root.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** Replaces {@code name} with {@code text} (call it under {@link #locked}): a reader, or a restart after kill -9, sees the old or the new. */
    public void write(String name, String text) {
        Path target = root.resolve(name);
        Path dir = target.getParent();
        Path temp = dir.resolve(TEMP_PREFIX + target.getFileName() + "-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the filesystem of " + dir + " cannot rename atomically", e);
            }
            syncDirectory(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // removed as debris at the next lock
            }
            String why = e.getMessage() != null && e.getMessage().contains("No space left")
                    ? "no space left on device; free space and retry" : e.toString();
            throw new KeelException(ErrorKind.INTERNAL, "cannot write " + target + ": " + why, e);
        }
    }

    public void delete(String name) {
        try {
            Files.deleteIfExists(root.resolve(name));
            syncDirectory(root.resolve(name).getParent());
        } catch (NoSuchFileException e) {
            // its directory is gone too
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot delete " + root.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private void removeDebris() throws IOException {
        for (Path dir : new Path[] {root, root.resolve(Ipam.NETWORKS)}) {
            if (Files.isDirectory(dir)) {
                try (var debris = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
                    for (Path path : debris) {
                        Files.deleteIfExists(path);
                    }
                }
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
