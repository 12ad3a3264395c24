package keel.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The previous boot's Felix cache, moved aside so that Felix starts on an empty one at once, and
 * deleted once the daemon is ready. Deleting it in Felix's init was the largest part of the boot:
 * unlinking its ~130 files took 0.2 s on a disk mounted with {@code discard}; a rename is one step.
 */
final class RetiredCaches {
    private static final String SUFFIX = ".retired-";

    private RetiredCaches() {
    }

    /** Renames {@code cache} to a sibling {@code <name>.retired-<n>}, if it exists. */
    static void retire(Path cache) throws IOException {
        if (!Files.exists(cache)) {
            return;
        }
        Path parent = cache.getParent();
        for (long n = System.nanoTime(); ; n++) {
            Path retired = parent.resolve(cache.getFileName() + SUFFIX + n);
            if (!Files.exists(retired)) {
                Files.move(cache, retired);
                return;
            }
        }
    }

    /** Deletes every retired copy of {@code cache}, from this boot and from any earlier one. */
    static void deleteAll(Path cache) throws IOException {
        String prefix = cache.getFileName() + SUFFIX;
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(cache.getParent(), prefix + "*")) {
            for (Path retired : siblings) {
                deleteTree(retired);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
