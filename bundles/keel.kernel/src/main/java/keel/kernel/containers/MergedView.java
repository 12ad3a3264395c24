package keel.kernel.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import keel.api.runtime.Mount;
import keel.kernel.spec.UserResolver;

/**
 * Reads a file of a container's root from the mounts that make it, without mounting them: the
 * directories of an overlay (upper first, then each lower) or of a bind, the first that has the
 * file wins, and an overlay whiteout (a 0/0 character device) hides it. For the few files Keel
 * reads before a container runs (/etc/passwd, /etc/group).
 */
final class MergedView {
    private MergedView() {
    }

    static Optional<byte[]> etc(List<Mount> mounts, String name) {
        for (Path dir : layers(mounts)) {
            Path file = dir.resolve("etc").resolve(name);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (isWhiteout(file)) {
                return Optional.empty();
            }
            return UserResolver.readEtc(dir, name);
        }
        return Optional.empty();
    }

    static List<Path> layers(List<Mount> mounts) {
        List<Path> dirs = new ArrayList<>();
        for (Mount m : mounts) {
            if (m.type().equals("bind")) {
                dirs.add(Path.of(m.source()));
                continue;
            }
            String base = null;
            String upper = null;
            String lower = null;
            for (String o : m.options()) {
                if (o.startsWith("x-keel.chdir=")) {
                    base = o.substring("x-keel.chdir=".length());
                } else if (o.startsWith("upperdir=")) {
                    upper = o.substring("upperdir=".length());
                } else if (o.startsWith("lowerdir=")) {
                    lower = o.substring("lowerdir=".length());
                }
            }
            Path root = base == null ? Path.of("/") : Path.of(base);
            if (upper != null) {
                dirs.add(root.resolve(upper));
            }
            if (lower != null) {
                for (String l : lower.split(":")) {
                    dirs.add(root.resolve(l));
                }
            }
        }
        return dirs;
    }

    private static boolean isWhiteout(Path file) {
        try {
            Object mode = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            Object rdev = Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0020000 && ((Long) rdev) == 0L;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
