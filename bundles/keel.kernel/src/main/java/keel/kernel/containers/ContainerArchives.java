package keel.kernel.containers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.MediaTypes;
import keel.api.layer.Change;
import keel.api.layer.LayerPacker;
import keel.api.layer.LayerUnpacker;
import keel.api.layer.RootSource;
import keel.api.layer.UnpackLimits;
import keel.api.storage.SnapshotChanges;
import keel.api.storage.StorageDriver;
import keel.kernel.content.BlobStore;
import keel.kernel.drivers.Drivers;

/**
 * A container's files as tar streams: its changes ({@code diff}), its writable layer as a gzipped
 * layer blob ({@code commit}), its whole root ({@code export}) and {@code cp} both ways. The work on
 * files is the bound layer driver's {@link LayerPacker} (every path resolved inside the root); the
 * changes are the bound storage driver's {@link SnapshotChanges}. The caller holds the container
 * still (its lock while stopped, the freezer while committing a running one).
 */
final class ContainerArchives {
    private final Drivers drivers;
    private final Path scratch;

    ContainerArchives(Drivers drivers, Path scratch) {
        this.drivers = drivers;
        this.scratch = scratch;
    }

    /** A running container's root as its process sees it; a stopped one's from its snapshot's mounts. */
    static RootSource root(ContainerRecord r, boolean live) {
        if (live) {
            return RootSource.of(Path.of("/proc/" + r.state().pid() + "/root"));
        }
        if (r.snapshot() != null) {
            return RootSource.of(r.rootfsMounts());
        }
        return RootSource.of(Path.of(r.rootfs()));
    }

    List<Change> diff(ContainerRecord r) {
        if (r.snapshot() == null) {
            throw KeelException.invalid("container %s runs on --rootfs %s: it has no writable layer to compare",
                    r.name(), r.config().rootfs());
        }
        StorageDriver storage = drivers.storage();
        if (!(storage instanceof SnapshotChanges changes)) {
            throw KeelException.unavailable("the bound storage driver does not report changes (no SnapshotChanges)");
        }
        return withoutMountTargets(changes.changes(r.snapshot()), r);
    }

    /**
     * Leaves out what the runtime made in the layer and the container did not: the files and
     * directories created as mount targets (/etc/hosts, /etc/resolv.conf, /etc/hostname, /proc in
     * an image without it), and a directory changed only by them (Docker keeps them in an init
     * layer, so its diff and commit never show them).
     */
    static List<Change> withoutMountTargets(List<Change> changes, ContainerRecord r) {
        java.util.Set<String> targets = new java.util.HashSet<>();
        r.spec().mounts().forEach(m -> targets.add(m.destination()));
        java.util.Set<String> dropped = new java.util.HashSet<>();
        List<Change> kept = new java.util.ArrayList<>();
        for (Change c : changes) {
            if (c.kind() == Change.Kind.ADDED && targets.contains(c.path())) {
                dropped.add(c.path());
            } else {
                kept.add(c);
            }
        }
        if (dropped.isEmpty()) {
            return changes;
        }
        return kept.stream().filter(c -> c.kind() != Change.Kind.MODIFIED
                || dropped.stream().noneMatch(d -> d.startsWith(c.path() + "/"))
                || kept.stream().anyMatch(k -> k.path().startsWith(c.path() + "/"))).toList();
    }

    /** The layer blob of the container's changes, stored; its descriptor and diff id. */
    record Layer(Descriptor descriptor, Digest diffId) {
    }

    Layer layer(ContainerRecord r, boolean live, BlobStore blobs) {
        List<Change> changes = diff(r);
        LayerPacker packer = packer();
        MessageDigest uncompressed = sha256();
        MessageDigest compressed = sha256();
        Path temp = null;
        try {
            Files.createDirectories(scratch);
            temp = Files.createTempFile(scratch, "layer-", ".tar.gz");
            try (OutputStream file = Files.newOutputStream(temp);
                    DigestOutputStream gzipped = new DigestOutputStream(file, compressed);
                    GZIPOutputStream gzip = new GZIPOutputStream(gzipped, 1 << 16);
                    DigestOutputStream tar = new DigestOutputStream(gzip, uncompressed)) {
                packer.writeLayer(root(r, live), changes, tar);
            }
            Digest digest = digest(compressed);
            Descriptor expected = new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, Files.size(temp), null, null);
            try (InputStream in = Files.newInputStream(temp)) {
                return new Layer(blobs.write(expected, in), digest(uncompressed));
            }
        } catch (IOException | UncheckedIOException e) {
            throw KeelException.internal("cannot write the layer of " + r.name() + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a temporary file in <root>/tmp
                }
            }
        }
    }

    void archive(ContainerRecord r, boolean live, String path, String name, OutputStream tar) {
        try {
            packer().archive(root(r, live), path, name, tar);
        } catch (UncheckedIOException e) {
            throw KeelException.unavailable("cannot write the archive of %s: %s", r.name(), e.getMessage());
        }
    }

    void extract(ContainerRecord r, boolean live, String path, InputStream tar) {
        packer().extract(root(r, live), path, tar, UnpackLimits.DEFAULT);
    }

    /** {@code docker cp CT:SRC DEST}: into DEST when it is a directory, else as DEST. */
    void copyOut(ContainerRecord r, boolean live, String path, Path destination) {
        Path dir;
        String name;
        if (Files.isDirectory(destination)) {
            dir = destination;
            name = baseName(path);
        } else {
            dir = destination.toAbsolutePath().getParent();
            name = destination.getFileName().toString();
            if (dir == null || !Files.isDirectory(dir)) {
                throw KeelException.notFound("cannot copy to %s: its directory does not exist", destination);
            }
        }
        LayerPacker packer = packer();
        RootSource source = root(r, live);
        pipe(out -> packer.archive(source, path, name, out),
                in -> packer.extract(RootSource.of(dir), "/", in, UnpackLimits.DEFAULT));
    }

    /** {@code docker cp SRC CT:DEST}: into DEST when it is a directory in the container, else as DEST. */
    void copyIn(Path source, ContainerRecord r, boolean live, String path) {
        Path absolute = source.toAbsolutePath().normalize();
        if (!Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS) || absolute.getParent() == null) {
            throw KeelException.notFound("no such file or directory: %s", source);
        }
        LayerPacker packer = packer();
        RootSource target = root(r, live);
        String dir;
        String name;
        java.util.Optional<LayerPacker.PathKind> kind = packer.kind(target, path);
        if (kind.isPresent() && kind.get() == LayerPacker.PathKind.DIRECTORY) {
            dir = path;
            name = absolute.getFileName().toString();
        } else {
            if (kind.isPresent() && Files.isDirectory(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw KeelException.invalid("cannot copy directory %s onto file %s in %s", source, path, r.name());
            }
            dir = parentPath(path);
            name = baseName(path);
            if (packer.kind(target, dir).orElse(null) != LayerPacker.PathKind.DIRECTORY) {
                throw KeelException.notFound("cannot copy to %s in %s: %s is not a directory there", path, r.name(),
                        dir);
            }
        }
        String sourceName = absolute.getFileName().toString();
        pipe(out -> packer.archive(RootSource.of(absolute.getParent()), "/" + sourceName, name, out),
                in -> packer.extract(target, dir, in, UnpackLimits.DEFAULT));
    }

    private LayerPacker packer() {
        LayerUnpacker layer = drivers.layer();
        if (layer instanceof LayerPacker packer) {
            return packer;
        }
        throw KeelException.unavailable("the bound layer driver cannot write tar streams (no LayerPacker)");
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Runs {@code writer} on a thread of its own into {@code reader}. A writer's own error (a
     * missing source) is the one reported, since it also makes the reader fail; else the reader's.
     */
    private static void pipe(Writer writer, java.util.function.Consumer<InputStream> reader) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        RuntimeException readerFailure = null;
        try (PipedInputStream in = new PipedInputStream(1 << 20)) {
            PipedOutputStream out = new PipedOutputStream(in);
            Thread thread = new Thread(() -> {
                try (out) {
                    writer.write(out);
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "keel-cp");
            thread.start();
            try {
                reader.accept(in);
            } catch (RuntimeException e) {
                readerFailure = e;
            } finally {
                in.close();
                join(thread);
            }
        } catch (IOException e) {
            throw KeelException.internal("cannot copy: " + e.getMessage(), e);
        }
        Throwable e = failure.get();
        if (e instanceof KeelException k) {
            throw k;
        }
        if (readerFailure != null) {
            throw readerFailure;
        }
        if (e != null) {
            throw KeelException.internal("cannot copy: " + e.getMessage(), e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String baseName(String path) {
        String trimmed = path.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    private static String parentPath(String path) {
        String trimmed = path.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        return slash <= 0 ? "/" : trimmed.substring(0, slash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Digest digest(MessageDigest md) {
        return new Digest("sha256", HexFormat.of().formatHex(md.digest()));
    }
}
