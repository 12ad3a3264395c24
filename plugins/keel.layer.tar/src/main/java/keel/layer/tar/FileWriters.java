package keel.layer.tar;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Writes small new regular files of a layer on a few threads while the unpacker reads on: making
 * a file is a handful of system calls that mostly wait on the file system (inode and block
 * allocation, the journal), so several in flight fill a disk that one at a time leaves idle (GNU
 * tar's way). A job is only the file's own calls on its parent's descriptor (a duplicate, so the
 * unpacker's directory cache may close its own) and a name that did not exist when it was handed
 * over: no path is resolved here, so what the unpacker checked still holds.
 *
 * <p>Order: the unpacker asks {@link #conflicts} before every entry and {@link #drain()}s when a
 * pending file is the entry's path, one of its parents or under it, and before whiteouts, so a
 * later entry never races a pending one for a name; and it drains at the end, before the directory
 * times and before the unpack returns.
 */
final class FileWriters implements AutoCloseable {
    /** Files up to this size are handed over; bigger ones are written by the unpacker itself. */
    static final int MAX_FILE = 1 << 20;
    private static final int QUEUE = 64;
    private static final int FLAGS = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;

    /** One new file: its parent (a descriptor this job owns), name, content and metadata. */
    record Job(int parent, byte[] base, byte[] content, int uid, int gid, int mode, long[] times, String name,
            String key) {
    }

    private static final Job STOP = new Job(-1, null, null, 0, 0, 0, null, null, null);

    private final int threads;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE);
    private final List<Thread> workers = new ArrayList<>();
    /** Keys of the files handed over and not written yet; guarded by {@code this}. */
    private final TreeSet<String> pending = new TreeSet<>();
    /** The first failure, with the name of its entry; guarded by {@code this}. */
    private SysError failure;
    private String failedName;

    FileWriters(int threads) {
        this.threads = threads;
    }

    /** Hands a file over; throws the first failure of an earlier one instead, if there was one. */
    void submit(Job job) {
        synchronized (this) {
            throwFailure();
            pending.add(job.key());
        }
        if (workers.size() < threads && (workers.isEmpty() || !queue.isEmpty())) {
            Thread worker = new Thread(this::work, "keel-unpack-writer-" + workers.size());
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        try {
            queue.put(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LibC.close(job.parent());
            done(job.key());
            throw new SysError("unpack", job.name(), LibC.EINTR);
        }
    }

    /** Whether a pending file is {@code key}, one of its parents, or under it. */
    synchronized boolean conflicts(String key) {
        if (pending.isEmpty()) {
            return false;
        }
        if (pending.contains(key)) {
            return true;
        }
        for (int slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) {
            if (pending.contains(key.substring(0, slash))) {
                return true;
            }
        }
        String under = pending.ceiling(key + "/");
        return under != null && under.startsWith(key + "/");
    }

    /** Waits until every file handed over is written; throws the first failure. */
    synchronized void drain() {
        while (!pending.isEmpty()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SysError("unpack", "pending files", LibC.EINTR);
            }
        }
        throwFailure();
    }

    /** The name of the entry whose write failed, for the error message. */
    synchronized String failedName() {
        return failedName;
    }

    /** Stops the threads after the files handed over (written, or skipped after a failure). */
    @Override
    public void close() {
        for (int i = 0; i < workers.size(); i++) {
            try {
                queue.put(STOP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void throwFailure() {
        if (failure != null) {
            throw failure;
        }
    }

    private void work() {
        ByteBuffer direct = ByteBuffer.allocateDirect(MAX_FILE);
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(direct));
        while (true) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) {
                return;
            }
            try {
                boolean skip;
                synchronized (this) {
                    skip = failure != null;
                }
                if (!skip) {
                    write(job, direct, address);
                }
            } catch (SysError e) {
                synchronized (this) {
                    if (failure == null) {
                        failure = e;
                        failedName = job.name();
                    }
                }
            } finally {
                LibC.close(job.parent());
                done(job.key());
            }
        }
    }

    private synchronized void done(String key) {
        pending.remove(key);
        if (pending.isEmpty()) {
            notifyAll();
        }
    }

    private static void write(Job job, ByteBuffer direct, long address) {
        int fd = SysError.check(LibC.openat(job.parent(), job.base(), FLAGS, 0600), "openat", job.name());
        try {
            direct.clear();
            direct.put(job.content());
            int length = job.content().length;
            for (int done = 0; done < length;) {
                long n = LibC.write(fd, address + done, length - done);
                if (n < 0) {
                    if (LibC.errno() == LibC.EINTR) {
                        continue;
                    }
                    throw new SysError("write", job.name(), LibC.errno());
                }
                done += (int) n;
            }
            SysError.check(LibC.fchown(fd, job.uid(), job.gid()), "fchown", job.name());
            SysError.check(LibC.fchmod(fd, job.mode()), "fchmod", job.name());
            SysError.check(LibC.futimens(fd, job.times()), "futimens", job.name());
        } finally {
            LibC.close(fd);
        }
    }
}
