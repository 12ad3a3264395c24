package keel.kernel.containers;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per container, so operations on one container are serialised and never wait for
 * another's. A query ({@code ps}, {@code inspect}) takes a container's lock only if it is free: a
 * container whose operation is stuck (a freeze that does not complete, a driver call that hangs)
 * is shown as last recorded instead of holding up the answer for all the others.
 */
final class ContainerLocks {
    /** A held lock; closing it releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** Waits for the container's lock. */
    Held hold(String id) {
        ReentrantLock lock = lock(id);
        lock.lock();
        return lock::unlock;
    }

    /** The container's lock if no other thread holds it, else empty at once. */
    Optional<Held> holdIfFree(String id) {
        ReentrantLock lock = lock(id);
        return lock.tryLock() ? Optional.of(lock::unlock) : Optional.empty();
    }

    /** Forgets a removed container's lock. */
    void forget(String id) {
        locks.remove(id);
    }

    private ReentrantLock lock(String id) {
        return locks.computeIfAbsent(id, k -> new ReentrantLock());
    }
}
