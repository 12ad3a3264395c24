package keel.layer.tar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import keel.api.KeelException;
import keel.api.layer.RootSource;
import keel.api.runtime.Mount;

/**
 * A {@link RootSource} opened as a {@link RootDir}. A directory is opened as it is; a bind mount is
 * its source directory; an overlay is mounted by a thread of its own that first moved into a new,
 * private mount namespace ({@code unshare(CLONE_NEWNS)}): the mount is seen by no other process or
 * thread, is reached only through the descriptor opened on it, and goes away by itself when that
 * descriptor is closed and the thread has ended (containerd's {@code mount.WithTempMount}, without
 * leaving a mount behind after a crash).
 */
final class RootMount implements AutoCloseable {
    private final RootDir root;
    private final Path mountPoint;

    private RootMount(RootDir root, Path mountPoint) {
        this.root = root;
        this.mountPoint = mountPoint;
    }

    static RootMount open(RootSource source, boolean useOpenat2) {
        if (source.directory() != null) {
            return new RootMount(RootDir.open(source.directory(), useOpenat2), null);
        }
        List<Mount> mounts = source.mounts();
        if (mounts.size() != 1) {
            throw KeelException.invalid("a root made of %d mounts is not supported: give one (a snapshot's)",
                    mounts.size());
        }
        Mount mount = mounts.get(0);
        if (mount.type().equals("bind")) {
            return new RootMount(RootDir.open(Path.of(mount.source()), useOpenat2), null);
        }
        if (!mount.type().equals("overlay")) {
            throw KeelException.invalid("cannot open a root of mount type %s: only bind and overlay", mount.type());
        }
        Path point;
        try {
            point = Files.createTempDirectory("keel-root-");
        } catch (IOException e) {
            throw KeelException.internal("cannot make a mount point for a container's root: " + e.getMessage(), e);
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread mounter = new Thread(() -> {
            try {
                result.set(mountPrivately(mount, point, useOpenat2));
            } catch (RuntimeException e) {
                result.set(e);
            }
        }, "keel-root-mount");
        mounter.start();
        try {
            mounter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while mounting a container's root");
        } finally {
            if (!(result.get() instanceof RootDir)) {
                deleteQuietly(point);
            }
        }
        if (result.get() instanceof RuntimeException e) {
            throw e;
        }
        return new RootMount((RootDir) result.get(), point);
    }

    /** On a new thread: private namespace, mount, open; the namespace dies with the thread. */
    private static RootDir mountPrivately(Mount mount, Path point, boolean useOpenat2) {
        SysError.check(LibC.unshare(LibC.CLONE_NEWNS | LibC.CLONE_FS), "unshare", "CLONE_NEWNS");
        SysError.check(LibC.mount(z("none"), z("/"), null, LibC.MS_REC | LibC.MS_PRIVATE, null), "mount",
                "/ private");
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String option : mount.options()) {
            if (option.equals("ro")) {
                flags |= LibC.MS_RDONLY;
            } else if (option.startsWith("x-keel.chdir=")) {
                SysError.check(LibC.chdir(z(option.substring("x-keel.chdir=".length()))), "chdir", option);
            } else if (!option.startsWith("x-")) {
                data.add(option);
            }
        }
        SysError.check(LibC.mount(z("overlay"), z(point.toString()), z("overlay"), flags, z(String.join(",", data))),
                "mount overlay", point.toString());
        return RootDir.open(point, useOpenat2);
    }

    RootDir root() {
        return root;
    }

    @Override
    public void close() {
        root.close();
        if (mountPoint != null) {
            deleteQuietly(mountPoint);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // an empty directory in the temporary directory; nothing is mounted on it in this namespace
        }
    }

    private static byte[] z(String s) {
        return RootDir.z(s.getBytes(StandardCharsets.UTF_8));
    }
}
