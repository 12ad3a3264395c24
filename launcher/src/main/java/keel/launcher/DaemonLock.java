package keel.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * One daemon per runtime directory: an exclusive lock on {@code <run>/daemon.lock}, held for the
 * life of the process (the kernel releases it even after kill -9). A daemon that is still
 * stopping is waited for, a bounded time.
 */
final class DaemonLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DaemonLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DaemonLock acquire(Path run, Duration wait) throws IOException, InterruptedException {
        Path file = run.resolve("daemon.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                Files.writeString(run.resolve("keel.pid"), ProcessHandle.current().pid() + "\n");
                return new DaemonLock(channel, lock);
            }
            if (System.nanoTime() > deadline) {
                channel.close();
                String pid = Files.exists(run.resolve("keel.pid")) ? Files.readString(run.resolve("keel.pid")).trim()
                        : "?";
                throw new IllegalStateException("another keel daemon (pid " + pid + ") runs with " + run
                        + "; stop it with 'keel daemon stop' or use another --run directory");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
