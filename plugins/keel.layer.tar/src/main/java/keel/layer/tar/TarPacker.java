package keel.layer.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import keel.api.KeelException;
import keel.api.image.MediaTypes;
import keel.api.layer.Change;
import keel.api.layer.LayerPacker;
import keel.api.layer.RootSource;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/**
 * Tar streams out of and into a root filesystem (the plain object behind {@link TarLayerDriver}'s
 * {@link LayerPacker}). Every path is resolved by {@link RootDir} inside the root, one component at
 * a time with in-root symlink semantics; a final component is never followed when read.
 */
public final class TarPacker implements LayerPacker {
    /** Not a constant: LibC's initialisation (JNA binding libc) waits for the first export, not the driver's activation. */
    private static int oDir() {
        return LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
    }

    private final boolean useOpenat2;
    private final TarLayerUnpacker unpacker;

    public TarPacker() {
        this(true);
    }

    TarPacker(boolean useOpenat2) {
        this.useOpenat2 = useOpenat2;
        this.unpacker = new TarLayerUnpacker(useOpenat2);
    }

    @Override
    public void writeLayer(RootSource source, List<Change> changes, OutputStream out) {
        TarLayerUnpacker.checkHost();
        try (RootMount mount = RootMount.open(source, useOpenat2); TarWriter tar = new TarWriter(out)) {
            RootDir root = mount.root();
            FileInfo rootInfo = FileInfo.at(root.rootFd(), new byte[0]);
            for (Change change : changes) {
                EntryPath path = path(change.path());
                if (path.isRoot()) {
                    continue;
                }
                String name = new String(path.bytes(), StandardCharsets.UTF_8);
                String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
                String base = name.substring(parent.length());
                if (change.kind() == Change.Kind.DELETED) {
                    tar.marker(parent + Unpack.WHITEOUT_PREFIX + base);
                    continue;
                }
                root.beginEntry();
                int dir = parentOf(root, path);
                if (dir < 0) {
                    continue; // its directory went away since the changes were listed
                }
                FileInfo info = FileInfo.at(dir, path.baseZ());
                if (info == null || (!info.isDirectory() && info.otherMount(rootInfo))) {
                    continue; // gone, or a file mounted over (a running container's /etc/hosts)
                }
                tar.write(dir, path.baseZ(), name, info);
                if (change.kind() == Change.Kind.OPAQUE && info.isDirectory()) {
                    tar.marker(name + "/" + Unpack.WHITEOUT_OPAQUE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the layer: " + e.getMessage(), e);
        } catch (SysError e) {
            throw KeelException.internal("cannot write the layer: " + e.getMessage(), e);
        }
    }

    @Override
    public void archive(RootSource source, String path, String name, OutputStream out) {
        TarLayerUnpacker.checkHost();
        EntryPath at = path(path);
        try (RootMount mount = RootMount.open(source, useOpenat2); TarWriter tar = new TarWriter(out)) {
            RootDir root = mount.root();
            FileInfo rootInfo = FileInfo.at(root.rootFd(), new byte[0]);
            int dir = at.isRoot() ? root.rootFd() : parentOf(root, at);
            FileInfo info = dir < 0 ? null : at.isRoot() ? rootInfo : FileInfo.at(dir, at.baseZ());
            if (info == null) {
                throw KeelException.notFound("no such file or directory in the container: %s", path);
            }
            String prefix = name.isEmpty() ? "" : name + "/";
            if (!name.isEmpty()) {
                tar.write(dir, at.isRoot() ? new byte[] {0} : at.baseZ(), name, info);
            }
            if (info.isDirectory()) {
                int fd = at.isRoot() ? LibC.openat(root.rootFd(), new byte[] {'.', 0}, oDir(), 0)
                        : LibC.openat(dir, at.baseZ(), oDir(), 0);
                SysError.check(fd, "open", path);
                try {
                    tar.tree(fd, prefix, rootInfo);
                } finally {
                    LibC.close(fd);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot archive " + path + ": " + e.getMessage(), e);
        } catch (SysError e) {
            throw KeelException.internal("cannot archive " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public UnpackResult extract(RootSource source, String path, InputStream tar, UnpackLimits limits) {
        TarLayerUnpacker.checkHost();
        EntryPath at = path(path);
        try (RootMount mount = RootMount.open(source, useOpenat2)) {
            RootDir root = mount.root();
            int dir;
            try {
                dir = root.dir(at, false);
            } catch (SysError e) {
                throw KeelException.notFound("%s is not a directory in the container (%s)", path,
                        LibC.strerror(e.errno()));
            }
            // the unpacker opens the directory again through this descriptor, and works inside it
            return unpacker.unpack(tar, MediaTypes.OCI_LAYER_TAR, Path.of("/proc/self/fd/" + dir),
                    WhiteoutStyle.DELETE, limits);
        }
    }

    @Override
    public Optional<PathKind> kind(RootSource source, String path) {
        TarLayerUnpacker.checkHost();
        EntryPath at = path(path);
        try (RootMount mount = RootMount.open(source, useOpenat2)) {
            try {
                mount.root().dir(at, false);
                return Optional.of(PathKind.DIRECTORY);
            } catch (SysError e) {
                if (e.errno() == LibC.ENOTDIR) {
                    return Optional.of(PathKind.OTHER);
                }
                if (e.errno() == LibC.ENOENT) {
                    return Optional.empty();
                }
                throw KeelException.invalid("cannot resolve %s in the container: %s", path, e.getMessage());
            }
        }
    }

    /** The directory that holds {@code path}, resolved in the root, or -1 when it does not exist. */
    private static int parentOf(RootDir root, EntryPath path) {
        try {
            return root.dir(path.parent(), false);
        } catch (SysError e) {
            if (e.errno() == LibC.ENOENT || e.errno() == LibC.ENOTDIR) {
                return -1;
            }
            throw e;
        }
    }

    /** {@code path} cleaned as if joined to {@code /}: a {@code ..} at the root stays there (Go's filepath.Join). */
    private static EntryPath path(String path) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.addLast(part);
            }
        }
        String clean = String.join("/", parts);
        return EntryPath.parse(clean.getBytes(StandardCharsets.UTF_8), 4096, "path", path);
    }
}
