package keel.isolation.linux;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Learns at once that a process ended: a pidfd of it (readable once the process has exited, child
 * or not), registered with one epoll instance that one thread waits on. The callback runs on that
 * thread, once, and must be quick. Closing wakes the thread through an eventfd.
 */
final class ExitWatcher implements AutoCloseable {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x1;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    /** struct epoll_event on x86_64: u32 events, u64 data, packed. */
    private static final int EVENT_SIZE = 12;
    private static final int MAX_EVENTS = 16;
    /** How long {@link #close} waits for the thread. */
    private static final int JOIN_MS = 1000;

    interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        long syscall(long number, Object... args);

        int epoll_create1(int flags);

        int epoll_ctl(int epfd, int op, int fd, Memory event);

        int epoll_wait(int epfd, Memory events, int maxevents, int timeout);

        int eventfd(int initval, int flags);

        long write(int fd, byte[] buffer, long count);

        int close(int fd);
    }

    private final int epoll;
    private final int wake;
    /**
     * The watches by a key of their own, which is also the epoll data of their pidfd: never the
     * descriptor's number, which the kernel hands out again once closed, so an event read just
     * before a watch was closed cannot end (and close the pidfd of) a new watch that got the same
     * number.
     */
    private final Map<Long, Watch> watched = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong keys = new java.util.concurrent.atomic.AtomicLong();
    /** The epoll data of the wake-up eventfd; watch keys start above it. */
    private static final long WAKE = 0;

    private record Watch(int fd, Runnable ended) {
    }

    private final Thread thread;
    private volatile boolean closed;

    ExitWatcher() {
        epoll = Libc.INSTANCE.epoll_create1(EPOLL_CLOEXEC);
        if (epoll < 0) {
            throw new IllegalStateException("epoll_create1 failed: errno " + Native.getLastError());
        }
        wake = Libc.INSTANCE.eventfd(0, EFD_CLOEXEC);
        if (wake < 0 || !add(wake, WAKE)) {
            int errno = Native.getLastError();
            Libc.INSTANCE.close(epoll);
            throw new IllegalStateException("cannot make the watcher's eventfd: errno " + errno);
        }
        thread = new Thread(this::loop, "keel-isolation-exits");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Calls {@code ended} once when process {@code pid} has exited; at once (on the caller's thread)
     * if there is no such process. Closing the returned handle stops the watch.
     */
    AutoCloseable watch(long pid, Runnable ended) {
        int fd = (int) Libc.INSTANCE.syscall(SYS_PIDFD_OPEN, (int) pid, 0);
        if (fd < 0) {
            ended.run();
            return () -> { };
        }
        long key = keys.incrementAndGet();
        watched.put(key, new Watch(fd, ended));
        if (!add(fd, key)) {
            watched.remove(key);
            int errno = Native.getLastError();
            Libc.INSTANCE.close(fd);
            throw new IllegalStateException("epoll_ctl failed: errno " + errno);
        }
        return () -> forget(key);
    }

    private boolean add(int fd, long key) {
        Memory event = new Memory(EVENT_SIZE);
        event.setInt(0, EPOLLIN);
        event.setLong(4, key);
        return Libc.INSTANCE.epoll_ctl(epoll, EPOLL_CTL_ADD, fd, event) == 0;
    }

    /** Ends a watch once, whoever asks first (its event, its handle, close): its pidfd is closed then. */
    private Runnable forget(long key) {
        Watch watch = watched.remove(key);
        if (watch == null) {
            return null;
        }
        Libc.INSTANCE.epoll_ctl(epoll, EPOLL_CTL_DEL, watch.fd(), null);
        Libc.INSTANCE.close(watch.fd());
        return watch.ended();
    }

    private void loop() {
        Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
        while (!closed) {
            int n = Libc.INSTANCE.epoll_wait(epoll, events, MAX_EVENTS, -1);
            if (n < 0 && Native.getLastError() != EINTR) {
                return;                    // cannot wait any more: the kernel's 250 ms sweep still sees ends
            }
            for (int i = 0; i < n; i++) {
                long key = events.getLong((long) i * EVENT_SIZE + 4);
                if (key == WAKE) {
                    continue;              // close(): the loop ends
                }
                Runnable ended = forget(key); // null for a watch closed meanwhile
                if (ended != null) {
                    try {
                        ended.run();
                    } catch (RuntimeException e) {
                        // the callback's own business; the watcher goes on
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Libc.INSTANCE.write(wake, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, 8);
        try {
            thread.join(JOIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watched.keySet().forEach(this::forget);
        Libc.INSTANCE.close(wake);
        Libc.INSTANCE.close(epoll);
    }
}
