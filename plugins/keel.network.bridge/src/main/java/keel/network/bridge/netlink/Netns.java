package keel.network.bridge.netlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.sun.jna.Native;

import keel.api.KeelException;

/**
 * Work inside another network namespace. Each call runs on a new platform thread of its own that
 * enters the namespace with {@code setns(fd, CLONE_NEWNET)}, opens its own rtnetlink socket there,
 * does the work, returns to the namespace it came from and ends: no pooled thread, which others
 * would reuse, ever changes namespace. A thread that cannot return is discarded with its OS thread
 * (it ends either way), so a failure cannot leak a namespace into the rest of the JVM.
 */
public final class Netns {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private Netns() {
    }

    /** An open namespace file (O_RDONLY), for {@code IFLA_NET_NS_FD}; close it after use. */
    public static final class Handle implements AutoCloseable {
        private final int fd;

        private Handle(int fd) {
            this.fd = fd;
        }

        public int fd() {
            return fd;
        }

        @Override
        public void close() {
            LibC.INSTANCE.close(fd);
        }
    }

    public static Handle open(String path) {
        int fd = LibC.INSTANCE.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw Errno.exception("open network namespace " + path, Native.getLastError(), null);
        }
        return new Handle(fd);
    }

    /**
     * Whether {@code path} is the network namespace this JVM runs in (same device and inode as
     * {@code /proc/self/ns/net}): attaching that one would reconfigure the host itself.
     */
    public static boolean isOwn(String path) {
        try {
            Object own = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            Object ownDev = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev");
            Path target = Path.of(path);
            return own.equals(Files.getAttribute(target, "unix:ino"))
                    && ownDev.equals(Files.getAttribute(target, "unix:dev"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Runs {@code work} with an rtnetlink socket inside the namespace at {@code path}; its errors pass through. */
    public static <T> T run(String path, String purpose, Function<NetlinkSocket, T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                result.set(inside(path, purpose, work));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "keel-netns-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the work is short and must finish; the interrupt is kept for the caller
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw KeelException.internal(purpose + " failed", t);
        }
        return result.get();
    }

    private static <T> T inside(String path, String purpose, Function<NetlinkSocket, T> work) {
        LibC libc = LibC.INSTANCE;
        try (Handle home = open("/proc/thread-self/ns/net"); Handle target = open(path)) {
            if (libc.setns(target.fd(), LibC.CLONE_NEWNET) != 0) {
                throw Errno.exception(purpose + ": enter network namespace " + path, Native.getLastError(), null);
            }
            try (NetlinkSocket socket = NetlinkSocket.open()) {
                return work.apply(socket);
            } finally {
                // Back home; should that fail, nothing more runs on this thread: it ends here, and its
                // OS thread with it, so the namespace cannot leak to other work.
                libc.setns(home.fd(), LibC.CLONE_NEWNET);
            }
        }
    }
}
