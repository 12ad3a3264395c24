package keel.kernel.containers;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per container, so operations on one container are serialised and never wait for
 * another's. A query ({@code ps}, {@code inspect}) takes a container's lock only if it is free: a
 * container whose operation is stuck (a freeze that does not complete, a driver call that hangs)
 * is shown as last recorded instead of holding up the answer for all the others. A lock is kept
 * only while a thread holds or waits for it, so the locks of removed containers never pile up (an
 * exit notice handled after the removal, say, takes and lets go of one of its own).
 */
final class ContainerLocks {
    /** A held lock; closing it releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** A container's lock and how many threads hold it or wait for it; guarded by {@link #locks}. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    /** Only the containers whose lock someone holds or waits for: an entry goes with its last user. */
    private final Map<String, Entry> locks = new HashMap<>();

    /** Waits for the container's lock. */
    Held hold(String id) {
        Entry entry = use(id);
        entry.lock.lock();
        return () -> release(id, entry);
    }

    /** The container's lock if no other thread holds it, else empty at once. */
    Optional<Held> holdIfFree(String id) {
        Entry entry = use(id);
        if (entry.lock.tryLock()) {
            return Optional.of(() -> release(id, entry));
        }
        done(id, entry);
        return Optional.empty();
    }

    /** How many containers' locks are kept now (held, or waited for). */
    int kept() {
        synchronized (locks) {
            return locks.size();
        }
    }

    private Entry use(String id) {
        synchronized (locks) {
            Entry entry = locks.computeIfAbsent(id, k -> new Entry());
            entry.users++;
            return entry;
        }
    }

    private void release(String id, Entry entry) {
        entry.lock.unlock();
        done(id, entry);
    }

    private void done(String id, Entry entry) {
        synchronized (locks) {
            if (--entry.users == 0) {
                locks.remove(id, entry);
            }
        }
    }
}
