package keel.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.sun.jna.Library;
import com.sun.jna.Native;

import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.runtime.Mount;
import keel.layer.tar.TarLayerUnpacker;
import keel.storage.base.Snapshotter;
import keel.storage.copy.CopyLayout;
import keel.storage.overlay.OverlayLayout;

/**
 * The time to prepare a container's root filesystem on a 5-layer image, per storage driver: the
 * snapshotter's {@code prepare} of an active snapshot on the top layer and the mount of what it
 * returns (overlayfs with 5 lower directories, or a bind of the copy driver's full copy), as a
 * container's start makes it. The unmount and the snapshot's removal are outside the measurement.
 *
 * <p>The image is committed snapshots on the disk ({@code -Dkeel.bench.dir}, default
 * /var/tmp/keel-bench/prepare): busybox (the host's static {@code /bin/busybox} and a symlink per
 * applet, as bench/busybox-rootfs.sh makes it) and 4 small layers of 30 files of 1 to 8 KiB each,
 * one of them with a whiteout, unpacked by the tar-layer unpacker with the driver's whiteout
 * style. Mounts need their own mount namespace: run it as bench/storage.sh does, under
 * {@code unshare -m --propagation private}; it refuses to run in the host's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(1)
public class PrepareBenchmark {
    static final int LAYERS = 5;

    @Param({"overlay", "copy"})
    public String driver;

    private Path work;
    private Snapshotter snapshots;
    private String top;
    private Path target;
    private String key;
    private int round;

    /** mount(2) and umount2(2) from libc. */
    public interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);
        long MS_BIND = 4096;
        long MS_REC = 16384;
        long MS_RDONLY = 1;
        int MNT_DETACH = 2;

        int mount(String source, String target, String type, long flags, String data);

        int umount2(String target, int flags);
    }

    @Setup(Level.Trial)
    public void image() throws IOException, InterruptedException {
        if (!inMountNamespaceOfItsOwn()) {
            throw new IllegalStateException("run in a mount namespace of its own: unshare -m --propagation private");
        }
        Path base = Path.of(System.getProperty("keel.bench.dir", "/var/tmp/keel-bench/prepare"));
        Files.createDirectories(base);
        work = Files.createTempDirectory(base, "keel-jmh-" + driver + "-");
        snapshots = new Snapshotter(work.resolve("root"),
                driver.equals("overlay") ? new OverlayLayout() : new CopyLayout());
        TarLayerUnpacker unpacker = new TarLayerUnpacker();
        String parent = null;
        for (int i = 0; i < LAYERS; i++) {
            byte[] layer = i == 0 ? busybox() : smallLayer(i);
            String extract = "extract-" + i;
            snapshots.prepare(extract, parent, Map.of());
            unpacker.unpack(new ByteArrayInputStream(layer), MediaTypes.OCI_LAYER_TAR, snapshots.upperDir(extract),
                    snapshots.whiteoutStyle(), UnpackLimits.DEFAULT);
            snapshots.commit("layer-" + i, extract, Map.of());
            parent = "layer-" + i;
        }
        top = parent;
        target = Files.createDirectories(work.resolve("mnt"));
    }

    /** Whether an ancestor process (the shell that ran {@code unshare}) is in another mount namespace. */
    static boolean inMountNamespaceOfItsOwn() throws IOException {
        Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"));
        for (var p = ProcessHandle.current().parent(); p.isPresent(); p = p.get().parent()) {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/" + p.get().pid() + "/ns/mnt")).equals(own)) {
                    return true;
                }
            } catch (IOException e) {
                return false; // an ancestor not ours to read
            }
        }
        return false;
    }

    @Setup(Level.Invocation)
    public void nextKey() {
        key = "container-" + round++;
    }

    @Benchmark
    public List<Mount> prepare() {
        List<Mount> mounts = snapshots.prepare(key, top, Map.of());
        mount(mounts.get(0), target);
        return mounts;
    }

    @TearDown(Level.Invocation)
    public void unmountAndRemove() {
        check(LibC.INSTANCE.umount2(target.toString(), 0), "umount " + target);
        snapshots.remove(key);
    }

    @TearDown(Level.Trial)
    public void removeImage() throws IOException {
        for (int i = LAYERS - 1; i >= 0; i--) {
            snapshots.remove("layer-" + i);
        }
        snapshots.close();
        try (Stream<Path> walk = Files.walk(work)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Mounts what a snapshotter returned as a container's root is mounted: overlay, or a bind. */
    static void mount(Mount mount, Path target) {
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String option : mount.options()) {
            switch (option) {
                case "ro" -> flags |= LibC.MS_RDONLY;
                case "rw" -> { }
                case "bind" -> flags |= LibC.MS_BIND;
                case "rbind" -> flags |= LibC.MS_BIND | LibC.MS_REC;
                default -> {
                    if (option.startsWith("x-")) {
                        throw new IllegalStateException("option " + option + " is not handled here");
                    }
                    data.add(option);
                }
            }
        }
        boolean bind = mount.type().equals("bind");
        check(LibC.INSTANCE.mount(mount.source(), target.toString(), bind ? null : mount.type(),
                bind ? flags | LibC.MS_BIND : flags, bind ? null : String.join(",", data)), "mount " + mount);
    }

    static void check(int result, String what) {
        if (result != 0) {
            throw new IllegalStateException(what + ": errno " + Native.getLastError());
        }
    }

    /** The host's static busybox and a symlink per applet, /etc/passwd and /etc/group, as a layer tar. */
    static byte[] busybox() throws IOException, InterruptedException {
        Process list = new ProcessBuilder("/bin/busybox", "--list-full").redirectErrorStream(true).start();
        List<String> applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .toList();
        if (list.waitFor() != 0 || applets.isEmpty()) {
            throw new IllegalStateException("no /bin/busybox (Debian's busybox-static) to make the image from");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "usr", "usr/bin",
                    "usr/sbin", "var")) {
                directory(tar, dir, dir.equals("tmp") ? 01777 : 0755);
            }
            file(tar, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            for (String applet : applets) {
                if (!applet.equals("bin/busybox")) {
                    TarArchiveEntry link = new TarArchiveEntry(applet, TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName("/bin/busybox");
                    tar.putArchiveEntry(link);
                    tar.closeArchiveEntry();
                }
            }
            file(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "etc/group", "root:x:0:\n".getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    /** Layer {@code n}: 30 files of 1 to 8 KiB under /app/layerN, a change to /etc/passwd, a whiteout in the last. */
    static byte[] smallLayer(int n) throws IOException {
        Random random = new Random(n);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            directory(tar, "app", 0755);
            directory(tar, "app/layer" + n, 0755);
            for (int i = 0; i < 30; i++) {
                byte[] content = new byte[1024 + random.nextInt(7 * 1024)];
                random.nextBytes(content);
                file(tar, "app/layer" + n + "/file" + i, content, 0644);
            }
            directory(tar, "etc", 0755);
            file(tar, "etc/passwd", ("root:x:0:0:root:/root:/bin/sh\napp" + n + ":x:100" + n + ":100" + n
                    + "::/app:/bin/false\n").getBytes(StandardCharsets.UTF_8), 0644);
            if (n == LAYERS - 1) {
                file(tar, "app/layer1/.wh.file0", new byte[0], 0644);
            }
        }
        return bytes.toByteArray();
    }

    private static void directory(TarArchiveOutputStream tar, String name, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/");
        entry.setMode(040000 | mode);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0100000 | mode);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
