package keel.cgroup.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.sun.jna.LastErrorException;

import keel.api.KeelException;

/**
 * Removes a container's cgroup directory and the cgroups a container made inside it. The usual
 * cgroup has no child, so one rmdir does it: the directory is listed (a stat of every control file)
 * only when that rmdir says it is busy.
 */
public final class CgroupTrees {
    /** How long an rmdir is retried while the kernel still counts a task that just exited. */
    public static final long BUSY_WAIT_MS = 5_000;
    private static final int ENOTEMPTY = 39;

    private CgroupTrees() {
    }

    /** Removes {@code dir} and the cgroups in it, deepest first; a missing one is removed already. */
    public static void remove(Path dir) {
        if (rmdirOnce(dir)) {
            return;
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            children = List.of();
        }
        children.forEach(CgroupTrees::remove);
        rmdir(dir);
    }

    /**
     * rmdir with bounded retries on EBUSY (a task that just exited may still pin the cgroup); ENOENT
     * is done. A plain directory (the tests' stand-in for a cgroup tree) has its files deleted first.
     */
    public static void rmdir(Path dir) {
        long deadline = System.nanoTime() + BUSY_WAIT_MS * 1_000_000;
        while (!rmdirOnce(dir)) {
            if (System.nanoTime() > deadline) {
                throw KeelException.unavailable("cannot remove cgroup %s: still busy after %d ms", dir, BUSY_WAIT_MS);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw KeelException.unavailable("interrupted while removing cgroup %s", dir);
            }
        }
    }

    /** One rmdir: true when the directory is gone, false when it is busy (tasks or child cgroups). */
    private static boolean rmdirOnce(Path dir) {
        try {
            Libc.C.rmdir(dir.toString());
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Libc.ENOENT) {
                return true;
            }
            if (e.getErrorCode() == ENOTEMPTY && deleteFiles(dir)) { // never on cgroupfs: control files do not count
                return rmdirOnce(dir);
            }
            if (e.getErrorCode() == Libc.EBUSY || e.getErrorCode() == ENOTEMPTY) {
                return false;
            }
            throw KeelException.internal("cannot remove cgroup " + dir + " (errno " + e.getErrorCode() + ")", e);
        }
    }

    /** Deletes the regular files of a plain directory; whether there were any. */
    private static boolean deleteFiles(Path dir) {
        boolean deleted = false;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.delete(file);
                deleted = true;
            }
        } catch (IOException e) {
            return false;
        }
        return deleted;
    }
}
