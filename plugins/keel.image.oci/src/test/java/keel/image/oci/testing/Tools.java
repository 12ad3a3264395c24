package keel.image.oci.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the real tools the tests compare against (skopeo, umoci, tar, htpasswd, docker-registry). */
public final class Tools {
    private Tools() {
    }

    /** Fails clearly when a tool is missing: .ci/install-deps installs them from Debian. */
    public static void require(String... tools) {
        for (String tool : tools) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            if (!found) {
                throw new AssertionError(tool + " is not installed: run .ci/install-deps (Debian packages skopeo, "
                        + "umoci, docker-registry, apache2-utils, busybox-static)");
            }
        }
    }

    /** Runs {@code command} in {@code dir}, returns its standard output; a non-zero exit fails with stderr. */
    public static String run(Path dir, String... command) {
        try {
            Path err = Files.createTempFile("keel-tool-", ".err");
            try {
                Process process = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectError(err.toFile()).start();
                process.getOutputStream().close();
                byte[] out = process.getInputStream().readAllBytes();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "): "
                            + Files.readString(err));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static List<String> list(String... items) {
        return new ArrayList<>(List.of(items));
    }

    /** Removes a directory tree (test debris). */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
