package keel.kernel.volumes;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Docker's copy-up: an empty volume mounted where the image has a directory with content gets a
 * copy of that content (owners, modes, times; symlinks copied as links, never followed; device
 * nodes, fifos and sockets left out). The image's directory is read from the root's layer
 * directories without mounting them, lowest first, so a higher layer's file replaces a lower
 * one's and an overlay whiteout (a 0/0 character device) deletes it. A target that passes
 * through a symlink in any layer is not copied from (that would mean resolving the link outside a
 * mounted root); the mount itself still resolves it inside the root.
 */
final class CopyUp {
    private CopyUp() {
    }

    /** Copies the image's content at {@code target} into {@code data} if {@code data} is empty. */
    static void intoEmpty(List<Path> layersTopFirst, String target, Path data) {
        try {
            if (!isEmpty(data)) {
                return;
            }
            List<Path> sources = new java.util.ArrayList<>();
            for (Path layer : layersTopFirst) {
                Path dir = within(layer, target);
                if (dir == null) {
                    return; // a symlink on the way: not copied
                }
                if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    if (!isDirectory(dir)) {
                        break; // a file or whiteout here hides the lower layers
                    }
                    sources.add(0, dir);
                }
            }
            if (sources.isEmpty()) {
                return;
            }
            for (Path dir : sources) {
                copyTree(dir, data);
            }
            copyOwnerAndMode(sources.get(sources.size() - 1), data);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot copy the image's " + target + " into the volume at "
                    + data + ": " + e.getMessage(), e);
        }
    }

    /** {@code layer + target}, or null if a component on the way (not the last) is a symlink. */
    private static Path within(Path layer, String target) {
        Path p = layer;
        String[] parts = target.substring(1).split("/");
        for (int i = 0; i < parts.length; i++) {
            p = p.resolve(parts[i]);
            if (Files.isSymbolicLink(p)) {
                return null;
            }
            if (i < parts.length - 1 && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p.resolve(String.join("/", java.util.Arrays.copyOfRange(parts, i + 1, parts.length)));
            }
        }
        return p;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(from)) { // does not follow symlinks
            entries = walk.skip(1).toList();
        }
        for (Path source : entries) {
            Path dest = to.resolve(from.relativize(source).toString());
            if (isWhiteout(source)) {
                VolumeStore.deleteTree(dest);
                continue;
            }
            if (Files.isSymbolicLink(dest) || (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)
                    && isDirectory(dest) != isDirectory(source))) {
                VolumeStore.deleteTree(dest); // a higher layer's entry of another kind replaces it
            }
            if (!isDirectory(dest.getParent())) {
                continue; // under something a higher layer replaced by a non-directory
            }
            if (isDirectory(source)) {
                if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(source, dest, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(source)) {
                try {
                    Files.copy(source, dest, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING,
                            LinkOption.NOFOLLOW_LINKS);
                } catch (FileAlreadyExistsException e) {
                    throw new IOException("cannot replace " + dest, e);
                }
            }
        }
        // directory times after their content
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path dir : walk.skip(1).filter(CopyUp::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                Path dest = to.resolve(from.relativize(dir).toString());
                if (isDirectory(dest)) {
                    Files.setLastModifiedTime(dest, Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS));
                }
            }
        }
    }

    private static void copyOwnerAndMode(Path from, Path to) throws IOException {
        PosixFileAttributes a = Files.readAttributes(from, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(a.owner());
        view.setGroup(a.group());
        view.setPermissions(a.permissions());
    }

    /** Whether {@code dir} has no entries. */
    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    private static boolean isDirectory(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isWhiteout(Path file) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long rdev = (Long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0020000 && rdev == 0L;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
