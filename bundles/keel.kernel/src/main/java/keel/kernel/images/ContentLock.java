package keel.kernel.images;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import keel.api.KeelException;

/**
 * Keeps garbage collection away from content being written: a pull, load, import or commit, and a
 * container's creation (layers unpacked, its snapshot prepared, its record written) each hold a
 * shared lease from before their first blob or snapshot until the image or container that refers
 * to it is recorded; collection holds the exclusive one. So collection never sees a blob or
 * snapshot that is written but not yet referenced (containerd's leases, as one lock).
 */
public final class ContentLock {
    /** Released by close. */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

    /** A shared lease, for writing content and the record that refers to it. */
    public Lease shared() {
        return hold(lock.readLock());
    }

    /** The exclusive lease for collection; waits for every writer to finish. */
    Lease exclusive() {
        return hold(lock.writeLock());
    }

    /** The exclusive lease if every writer finishes within {@code wait}. */
    Optional<Lease> exclusive(Duration wait) {
        try {
            Lock write = lock.writeLock();
            return write.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(write::unlock)
                    : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Lease hold(Lock l) {
        try {
            l.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while waiting for the content store");
        }
        return l::unlock;
    }
}
