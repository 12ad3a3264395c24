package keel.storage.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import keel.api.KeelException;
import keel.storage.base.Dir;
import keel.storage.base.FileTrees;
import keel.storage.base.Filesystems;
import keel.storage.base.Libc;
import keel.storage.base.NativeIOException;
import keel.storage.base.Stat;

/**
 * Whether overlayfs works on the filesystem of the driver's home, tried for real (containerd's
 * {@code overlayutils.Supported}): two lower directories, an upper and a work directory in
 * {@code <home>/.probe}, mounted, a lower file read and then deleted through the mount, which must
 * leave a whiteout (a 0/0 character device) in the upper directory; the directory entries must
 * carry their type ({@code d_type}), without which overlayfs misbehaves (Docker refuses too).
 */
final class OverlayProbe {
    private OverlayProbe() {
    }

    static void check(Path home) {
        // A test overlay per kernel boot and filesystem is enough: the answer cannot change before
        // a reboot, and the daemon activates this driver at every start.
        Path passed = home.resolve(".probe-passed");
        String key = bootId() + " " + home;
        try {
            if (Files.isRegularFile(passed) && Files.readString(passed).equals(key)) {
                return;
            }
        } catch (IOException e) {
            // probe again
        }
        probe(home);
        try {
            Files.writeString(passed, key);
        } catch (IOException e) {
            // only the next start's shortcut is lost
        }
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "unknown-boot-" + System.nanoTime(); // never matches: probe every time
        }
    }

    private static void probe(Path home) {
        Path probe = home.resolve(".probe");
        Path merged = probe.resolve("merged");
        String fsType = "an unknown filesystem";
        try {
            fsType = Filesystems.type(home);
            clear(probe, merged);
            Path lower1 = Files.createDirectories(probe.resolve("lower1"));
            Path lower2 = Files.createDirectories(probe.resolve("lower2"));
            Path upper = Files.createDirectories(probe.resolve("upper"));
            Path work = Files.createDirectories(probe.resolve("work"));
            Files.createDirectories(merged);
            Files.writeString(lower1.resolve("bottom"), "1");
            Files.writeString(lower2.resolve("top"), "2");
            checkDirectoryTypes(lower1);
            String data = "lowerdir=" + lower2 + ":" + lower1 + ",upperdir=" + upper + ",workdir=" + work;
            if (Libc.mount(Libc.cstr("overlay"), Libc.cstr(merged), Libc.cstr("overlay"), 0, Libc.cstr(data)) != 0) {
                int errno = Libc.errno();
                throw unavailable(home, fsType, "mounting a test overlay failed: " + Libc.describe(errno)
                        + hint(errno));
            }
            try {
                if (!"1".equals(Files.readString(merged.resolve("bottom")))
                        || !"2".equals(Files.readString(merged.resolve("top")))) {
                    throw unavailable(home, fsType, "a test overlay does not show its lower layers");
                }
                Files.delete(merged.resolve("bottom"));
                try (Dir dir = Dir.open(upper)) {
                    Stat whiteout = dir.stat("bottom".getBytes(StandardCharsets.US_ASCII));
                    if (whiteout.type() != Libc.S_IFCHR || whiteout.rdevMajor() != 0 || whiteout.rdevMinor() != 0) {
                        throw unavailable(home, fsType, "deleting a lower file through a test overlay left no "
                                + "whiteout in the upper directory");
                    }
                }
            } finally {
                Libc.umount2(Libc.cstr(merged), Libc.MNT_DETACH);
            }
            FileTrees.delete(probe);
        } catch (IOException e) {
            clearQuietly(probe, merged);
            throw unavailable(home, fsType, "the test overlay in " + probe + " failed: " + e.getMessage());
        } catch (RuntimeException e) {
            clearQuietly(probe, merged);
            throw e;
        }
    }

    private static void checkDirectoryTypes(Path dir) throws IOException {
        try (Dir d = Dir.open(dir)) {
            for (Dir.Entry entry : d.entries()) {
                if (entry.type() == Dir.DT_UNKNOWN) {
                    throw new IOException("the filesystem does not report file types in directory entries (d_type), "
                            + "which overlayfs needs (xfs formatted with ftype=0?)");
                }
            }
        }
    }

    private static String hint(int errno) {
        return switch (errno) {
            case 19 -> " (the kernel has no overlay filesystem: load it with 'modprobe overlay')";
            case Libc.EPERM -> " (mounting needs CAP_SYS_ADMIN: run the daemon as root)";
            case Libc.EINVAL -> " (this filesystem cannot be an overlay upper layer)";
            default -> "";
        };
    }

    private static void clear(Path probe, Path merged) throws IOException {
        if (Files.exists(probe)) {
            Libc.umount2(Libc.cstr(merged), Libc.MNT_DETACH); // left mounted by a crash, if anything
            FileTrees.delete(probe);
        }
    }

    private static void clearQuietly(Path probe, Path merged) {
        try {
            clear(probe, merged);
        } catch (IOException | RuntimeException ignored) {
            // removed at the next probe
        }
    }

    private static KeelException unavailable(Path home, String fsType, String detail) {
        return KeelException.unavailable("storage driver overlay cannot run: overlayfs does not work in %s (on %s): "
                + "%s. Put keel.root on ext4, xfs (ftype=1), btrfs or tmpfs, or use the copy storage driver "
                + "(keel swap storage copy)", home, fsType, detail);
    }
}
