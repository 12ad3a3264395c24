package keel.cgroup.v1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import keel.cgroup.base.ControlFiles;

/**
 * Starts, ahead of a container's join, the wait that the first cgroup migration after a quiet spell
 * pays. Every migration (a write to cgroup.procs or tasks, in any hierarchy) takes the kernel's one
 * cgroup_threadgroup_rwsem for writing, and that lock leaves its fast path for a writer only after an
 * RCU grace period: 10-30 ms on this 2-CPU host for each container start (bench/cgroup-join.c). It
 * returns to the fast path one grace period after the last writer, and a writer meanwhile does not
 * wait. So {@link #kick} wakes a thread that moves itself into the driver's parent cgroup of the
 * freezer hierarchy ({@code <freezer>/<parent>}, which holds the containers' cgroups and is never
 * frozen itself) and back: that thread pays the grace period while the container's cgroup is made and
 * its process set up, and the container's own join a few milliseconds later waits for what is left
 * of it, or not at all. For {@link #LINGER_MS} after a kick it moves again every {@link #BEAT_MS}
 * (no wait then: the lock is in its writer mode), so that starts in a burst (a script, a scale-up)
 * find the lock warm instead of each paying a grace period; for that while, the host's forks and
 * exits take the lock's slower reader path. Between two kicks nothing of it is in the hierarchy.
 */
final class MigrationWarmup implements AutoCloseable {
    /** How long after a kick the lock is kept warm. */
    static final long LINGER_MS = 50;
    /** How often it is moved meanwhile: well within the grace period after which the lock goes cold. */
    static final long BEAT_MS = 4;
    /** The parent cgroup in the freezer hierarchy, and the thread's own cgroup there. */
    private final Path parent;
    private final Path home;
    private final java.util.concurrent.atomic.AtomicLong moves = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong beats = new java.util.concurrent.atomic.AtomicLong();
    private final Semaphore kicks = new Semaphore(0);
    /** Started at the first kick (a daemon that starts no container makes no cgroup and no thread). */
    private Thread thread;
    private volatile boolean closed;

    private MigrationWarmup(Path parent, Path home) {
        this.parent = parent;
        this.home = home;
    }

    /**
     * A warm-up under {@code parent} of the freezer hierarchy at {@code freezer}; empty where there is
     * no such hierarchy (then joins just wait, as without it).
     */
    static Optional<MigrationWarmup> start(Path freezer, String parent) {
        return ownCgroup(freezer).map(home -> new MigrationWarmup(freezer.resolve(parent), home));
    }

    /** The cgroup of the calling thread in the freezer hierarchy mounted at {@code freezer}. */
    private static Optional<Path> ownCgroup(Path freezer) {
        if (freezer == null) {
            return Optional.empty();
        }
        for (String line : ControlFiles.read(Path.of("/proc/thread-self/cgroup")).orElse("").split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3 && java.util.Arrays.asList(fields[1].split(",")).contains("freezer")) {
                return Optional.of(freezer.resolve(fields[2].substring(1)));
            }
        }
        return Optional.empty();
    }

    /** A container's join is coming: start the grace period now (once, however many kicks meanwhile). */
    void kick() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (thread == null) {
                thread = new Thread(this::run, "keel-cgroup-warmup");
                thread.setDaemon(true);
                thread.start();
            }
        }
        if (kicks.availablePermits() == 0) {
            kicks.release();
        }
    }

    private void run() {
        long warmUntil = System.nanoTime();
        Moves mover = null;
        while (!closed) {
            boolean kicked;
            try {
                long left = warmUntil - System.nanoTime();
                kicked = left > 0 ? kicks.tryAcquire(Math.min(BEAT_MS, left / 1_000_000 + 1), TimeUnit.MILLISECONDS)
                        : acquire();
            } catch (InterruptedException e) {
                break;
            }
            kicks.drainPermits();
            if (closed) {
                break;
            }
            if (kicked) {
                warmUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
            } else if (System.nanoTime() - warmUntil >= 0) {
                continue;                          // the lingering is over: wait for the next kick
            }
            try {
                if (mover == null) {
                    mover = new Moves();
                }
                mover.there();
                (kicked ? moves : beats).incrementAndGet();
            } catch (IOException e) {
                // nothing moved: joins wait as without it, and the next kick tries again from scratch
                mover = closeQuietly(mover);
            } finally {
                if (mover != null && !mover.back()) {
                    mover = closeQuietly(mover);
                }
            }
        }
        closeQuietly(mover);
    }

    private static Moves closeQuietly(Moves moves) {
        if (moves != null) {
            moves.close();
        }
        return null;
    }

    /**
     * The two moves, through the tasks files of the parent and of the thread's own cgroup kept open
     * (a beat is two writes): made by the thread itself, with its own id.
     */
    private final class Moves implements AutoCloseable {
        private final byte[] tid;
        private final FileChannel there;
        private final FileChannel back;

        Moves() throws IOException {
            tid = tid().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Files.createDirectories(parent);       // as the container's cgroup would (the first one)
            back = FileChannel.open(home.resolve("tasks"), StandardOpenOption.WRITE);
            try {
                there = FileChannel.open(parent.resolve("tasks"), StandardOpenOption.WRITE);
            } catch (IOException e) {
                back.close();
                throw e;
            }
        }

        void there() throws IOException {
            there.write(ByteBuffer.wrap(tid));
        }

        /** Back to the thread's own cgroup (at once: the lock is in its writer mode now); false if it cannot. */
        boolean back() {
            try {
                back.write(ByteBuffer.wrap(tid));
                return true;
            } catch (IOException e) {
                return false;                  // the home cgroup went (the daemon was moved)
            }
        }

        @Override
        public void close() {
            try {
                there.close();
                back.close();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private boolean acquire() throws InterruptedException {
        kicks.acquire();
        return true;
    }

    /**
     * This thread's id. Not "0" (the writer itself): the kernel skips the global lock for a move of
     * the writing thread given as 0 (cgroup_procs_write_start), and the warm-up would warm nothing.
     */
    private static String tid() throws IOException {
        return Path.of("/proc/thread-self").toRealPath().getFileName().toString();
    }

    /** How many times the thread moved into the warm-up cgroup at a kick (for tests). */
    long moves() {
        return moves.get();
    }

    /** How many times it moved again while it lingered after a kick (for tests). */
    long beats() {
        return beats.get();
    }

    /** Stops the thread (if a kick started it); a warm-up in progress is finished first. */
    @Override
    public void close() {
        Thread started;
        synchronized (this) {
            closed = true;
            started = thread;
        }
        if (started == null) {
            return;
        }
        kicks.release();
        try {
            started.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
