package keel.storage.testsuite;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

import keel.api.runtime.Mount;

/**
 * Makes the mounts a storage driver returns, the way a container runtime would, so the contract
 * suite sees the files through the kernel and not through the driver's directories:
 * <ul>
 * <li>{@code bind}/{@code rbind}: {@code MS_BIND} (with {@code MS_REC}), then a remount for
 * {@code ro} and the other flags (a bind mount ignores them on the first call);</li>
 * <li>any other type: flags ({@code ro}, {@code nosuid}, ...) become mount flags, the rest the data
 * string, comma-joined; {@code x-*} options are for userspace and never reach the kernel;</li>
 * <li>{@code x-keel.chdir=DIR}: the mount is made from a thread whose working directory is DIR
 * (after {@code unshare(CLONE_FS)}, so the rest of the JVM keeps its own), because the driver gave
 * paths relative to it (overlay lowerdirs too long for one page otherwise).</li>
 * </ul>
 */
public final class TestMounts {
    public static final String CHDIR_OPTION = "x-keel.chdir=";

    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final long MS_NOEXEC = 8;
    private static final long MS_REMOUNT = 32;
    private static final long MS_NOATIME = 1024;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 16384;
    private static final long MS_RELATIME = 1 << 21;
    private static final int CLONE_FS = 0x200;
    private static final int MNT_DETACH = 2;

    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int mount(String source, String target, String type, NativeLong flags, String data);

        int umount2(String target, int flags);

        int unshare(int flags);

        int chdir(String path);

        int mknod(String path, int mode, long dev);

        int lsetxattr(String path, String name, byte[] value, NativeLong size, int flags);

        int geteuid();

        String strerror(int errno);
    }

    private TestMounts() {
    }

    public static boolean isRoot() {
        return C.LIB.geteuid() == 0;
    }

    /** Mounts {@code mounts} at {@code target}: destination "" (the root) at target itself, others below it. */
    public static void mount(List<Mount> mounts, Path target) throws IOException {
        List<Path> done = new ArrayList<>();
        try {
            for (Mount m : mounts) {
                String destination = m.destination() == null ? "" : m.destination();
                Path at = destination.isEmpty() || destination.equals("/") ? target
                        : target.resolve(destination.replaceFirst("^/+", ""));
                mountOne(m, at);
                done.add(at);
            }
        } catch (IOException | RuntimeException e) {
            for (int i = done.size() - 1; i >= 0; i--) {
                C.LIB.umount2(done.get(i).toString(), MNT_DETACH);
            }
            throw e;
        }
    }

    private static void mountOne(Mount m, Path at) throws IOException {
        long flags = 0;
        boolean bind = "bind".equals(m.type());
        boolean recursive = false;
        String chdir = null;
        List<String> data = new ArrayList<>();
        for (String option : m.options()) {
            switch (option) {
                case "ro" -> flags |= MS_RDONLY;
                case "rw", "defaults" -> {
                }
                case "bind" -> bind = true;
                case "rbind" -> {
                    bind = true;
                    recursive = true;
                }
                case "nosuid" -> flags |= MS_NOSUID;
                case "nodev" -> flags |= MS_NODEV;
                case "noexec" -> flags |= MS_NOEXEC;
                case "noatime" -> flags |= MS_NOATIME;
                case "relatime" -> flags |= MS_RELATIME;
                default -> {
                    if (option.startsWith(CHDIR_OPTION)) {
                        chdir = option.substring(CHDIR_OPTION.length());
                    } else if (!option.startsWith("x-")) {
                        data.add(option);
                    }
                }
            }
        }
        String target = at.toString();
        if (bind) {
            boolean rec = recursive;
            call("bind " + m.source() + " on " + target, null,
                    () -> C.LIB.mount(m.source(), target, null, new NativeLong(MS_BIND | (rec ? MS_REC : 0)), null));
            if (flags != 0) {
                long remount = MS_REMOUNT | MS_BIND | flags;
                call("remount " + target + " with " + m.options(), null,
                        () -> C.LIB.mount(null, target, null, new NativeLong(remount), null));
            }
            return;
        }
        long mountFlags = flags;
        String joined = String.join(",", data);
        call("mount " + m.type() + " on " + target + " -o " + joined, chdir,
                () -> C.LIB.mount(m.source(), target, m.type(), new NativeLong(mountFlags), joined));
    }

    interface NativeCall {
        int call();
    }

    private static void call(String what, String chdir, NativeCall call) throws IOException {
        if (chdir == null) {
            if (call.call() != 0) {
                int errno = Native.getLastError();
                throw new IOException(what + ": " + C.LIB.strerror(errno) + " (errno " + errno + ")");
            }
            return;
        }
        // a working directory of its own for one thread: the thread ends with it
        AtomicInteger errno = new AtomicInteger();
        String[] step = {"mount"};
        Thread thread = new Thread(() -> {
            if (C.LIB.unshare(CLONE_FS) != 0) {
                step[0] = "unshare(CLONE_FS)";
                errno.set(Native.getLastError());
            } else if (C.LIB.chdir(chdir) != 0) {
                step[0] = "chdir " + chdir;
                errno.set(Native.getLastError());
            } else if (call.call() != 0) {
                errno.set(Native.getLastError());
            }
        }, "mount-in-" + chdir);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + what, e);
        }
        if (errno.get() != 0) {
            throw new IOException(what + " (in " + chdir + "): " + step[0] + ": " + C.LIB.strerror(errno.get())
                    + " (errno " + errno.get() + ")");
        }
    }

    /** Unmounts {@code target}, retrying briefly while busy. */
    public static void unmount(Path target) throws IOException {
        for (int attempt = 0;; attempt++) {
            if (C.LIB.umount2(target.toString(), 0) == 0) {
                return;
            }
            int errno = Native.getLastError();
            if (errno != 16 || attempt >= 50) { // EBUSY
                throw new IOException("umount " + target + ": " + C.LIB.strerror(errno) + " (errno " + errno + ")");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + target, e);
            }
        }
    }

    /** Mounts a fresh filesystem of {@code type} (tmpfs, ...) at {@code target}. */
    /**
     * A tmpfs (512 MiB) mounted on a new directory under target/, for a test class that runs the
     * contract on tmpfs; null when not root. Remove it with {@link #removeScratch}.
     */
    public static Path mountScratchTmpfs() throws IOException {
        if (!isRoot()) {
            return null;
        }
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "tmpfs-");
        mountFilesystem("tmpfs", dir, "size=512m,mode=0700");
        return dir;
    }

    /** Unmounts and deletes what {@link #mountScratchTmpfs} made; null is nothing to do. */
    public static void removeScratch(Path dir) throws IOException {
        if (dir != null) {
            unmount(dir);
            Files.delete(dir);
        }
    }

    public static void mountFilesystem(String type, Path target, String data) throws IOException {
        call("mount " + type + " on " + target, null,
                () -> C.LIB.mount(type, target.toString(), type, new NativeLong(0), data));
    }

    /** Mounts an overlay of {@code lower} with {@code upper} and {@code work} at {@code target}. */
    public static void mountOverlay(Path lower, Path upper, Path work, Path target) throws IOException {
        String data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        call("mount overlay on " + target, null,
                () -> C.LIB.mount("overlay", target.toString(), "overlay", new NativeLong(0), data));
    }

    /** Lazily detaches {@code target}, whatever holds it: the last resort of a cleanup. */
    public static void detach(Path target) {
        C.LIB.umount2(target.toString(), MNT_DETACH);
    }

    /** Mount points at or below {@code dir}, from {@code /proc/self/mountinfo}, in mount order. */
    public static List<Path> mountPointsUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<Path> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            String point = unescape(fields[4]);
            if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                found.add(Path.of(point));
            }
        }
        return found;
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 4 <= field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** {@code mknod(path, S_IFCHR, 0)}: an overlayfs whiteout. */
    public static void whiteout(Path path) throws IOException {
        if (C.LIB.mknod(path.toString(), 020000, 0) != 0) {
            int errno = Native.getLastError();
            throw new IOException("mknod " + path + ": " + C.LIB.strerror(errno));
        }
    }

    /** Sets an extended attribute without following a symlink. */
    public static void setXattr(Path path, String name, String value) throws IOException {
        byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (C.LIB.lsetxattr(path.toString(), name, bytes, new NativeLong(bytes.length), 0) != 0) {
            int errno = Native.getLastError();
            throw new IOException("setxattr " + name + " on " + path + ": " + C.LIB.strerror(errno));
        }
    }

    /** Deletes a tree without following symlinks; refuses if anything is still mounted in it. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> mounted = mountPointsUnder(dir);
        if (!mounted.isEmpty()) {
            throw new IOException("not deleting " + dir + ": still mounted there: " + mounted);
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
