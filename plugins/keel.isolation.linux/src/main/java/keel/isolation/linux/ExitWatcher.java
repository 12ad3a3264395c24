package keel.isolation.linux;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Learns at once that a process ended: a pidfd of it (readable once the process has exited, child
 * or not), registered with one epoll instance that one thread waits on. The callback runs on that
 * thread, once, and must be quick.
 */
final class ExitWatcher implements AutoCloseable {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x1;
    /** struct epoll_event on x86_64: u32 events, u64 data, packed. */
    private static final int EVENT_SIZE = 12;
    private static final int MAX_EVENTS = 16;
    /** How often the thread looks whether it was closed. */
    private static final int WAIT_MS = 500;

    interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        long syscall(long number, Object... args);

        int epoll_create1(int flags);

        int epoll_ctl(int epfd, int op, int fd, Memory event);

        int epoll_wait(int epfd, Memory events, int maxevents, int timeout);

        int close(int fd);
    }

    private final int epoll;
    private final Map<Integer, Runnable> watched = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    ExitWatcher() {
        epoll = Libc.INSTANCE.epoll_create1(EPOLL_CLOEXEC);
        if (epoll < 0) {
            throw new IllegalStateException("epoll_create1 failed: errno " + Native.getLastError());
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
        watched.put(fd, ended);
        Memory event = new Memory(EVENT_SIZE);
        event.setInt(0, EPOLLIN);
        event.setLong(4, fd);
        if (Libc.INSTANCE.epoll_ctl(epoll, EPOLL_CTL_ADD, fd, event) < 0) {
            watched.remove(fd);
            Libc.INSTANCE.close(fd);
            throw new IllegalStateException("epoll_ctl failed: errno " + Native.getLastError());
        }
        return () -> forget(fd);
    }

    private Runnable forget(int fd) {
        Runnable ended = watched.remove(fd);
        if (ended != null) {
            Libc.INSTANCE.epoll_ctl(epoll, EPOLL_CTL_DEL, fd, null);
            Libc.INSTANCE.close(fd);
        }
        return ended;
    }

    private void loop() {
        Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
        while (!closed) {
            int n = Libc.INSTANCE.epoll_wait(epoll, events, MAX_EVENTS, WAIT_MS);
            for (int i = 0; i < n; i++) {
                Runnable ended = forget((int) events.getLong((long) i * EVENT_SIZE + 4));
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
        try {
            thread.join(2 * WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watched.keySet().forEach(this::forget);
        Libc.INSTANCE.close(epoll);
    }
}
