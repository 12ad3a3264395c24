package keel.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.WhiteoutStyle;
import keel.launcher.digest.NativeDigests;
import keel.layer.tar.TarLayerUnpacker;

/**
 * One layer file unpacked again and again, in turns, by Keel's unpacker (in this JVM, warm, as in
 * the daemon; as configured, with {@value TarLayerUnpacker#DEFAULT_WRITERS} threads writing small
 * files, and with every file written by the reading thread), GNU tar and, given an OCI layout holding the same layer, {@code umoci unpack}: all
 * into the same file system, each round into a fresh directory, removed (and {@code sync}ed)
 * before the next one is timed. Prints the median, min and max of each tool in MB/s of
 * uncompressed tar, and Keel's ratio to each.
 *
 * <pre>
 * java -cp bench/jmh/target/benchmarks.jar keel.bench.UnpackSideBySide LAYER tar|gzip|zstd DIR ROUNDS UNCOMPRESSED_BYTES [OCI_LAYOUT:TAG]
 * </pre>
 *
 * The first round of each tool is a warm-up (JIT, page cache) and is not counted. Used by
 * bench/unpack.sh, which runs it with the daemon's JVM flags; SHA-256 is the daemon's too (the
 * launcher's libcrypto provider, from {@code -Dkeel.digest.library}).
 */
public final class UnpackSideBySide {
    private UnpackSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: UnpackSideBySide LAYER tar|gzip|zstd DIR ROUNDS UNCOMPRESSED_BYTES [OCI:TAG]");
            System.exit(2);
        }
        Path layer = Path.of(args[0]);
        String compression = args[1];
        Path dir = Path.of(args[2]);
        int rounds = Integer.parseInt(args[3]);
        long size = Long.parseLong(args[4]);
        String umociImage = args.length > 5 ? args[5] : null;
        String mediaType = switch (compression) {
            case "tar" -> MediaTypes.OCI_LAYER_TAR;
            case "gzip" -> MediaTypes.OCI_LAYER_GZIP;
            case "zstd" -> MediaTypes.OCI_LAYER_ZSTD;
            default -> throw new IllegalArgumentException("compression must be tar, gzip or zstd: " + compression);
        };
        List<String> gnu = new ArrayList<>(List.of("tar", "-xp", "--numeric-owner", "--xattrs", "-f",
                layer.toString()));
        if (compression.equals("gzip")) {
            gnu.add("-z");
        } else if (compression.equals("zstd")) {
            gnu.add("--zstd");
        }

        String library = System.getProperty("keel.digest.library");
        String digests = library == null ? "SHA-256 by the JDK" : NativeDigests.install(Path.of(library));
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        TarLayerUnpacker unpacker = new TarLayerUnpacker();
        TarLayerUnpacker oneThread = new TarLayerUnpacker(true, 0);
        for (int round = 0; round <= rounds; round++) {
            Path keel = dir.resolve("keel-" + round);
            sync();
            long start = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 20)) {
                unpacker.unpack(in, mediaType, keel, WhiteoutStyle.OVERLAY, UnpackLimits.DEFAULT);
            }
            record(seconds, "keel", round, start);
            remove(keel);

            Path serial = dir.resolve("keel-serial-" + round);
            sync();
            start = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 20)) {
                oneThread.unpack(in, mediaType, serial, WhiteoutStyle.OVERLAY, UnpackLimits.DEFAULT);
            }
            record(seconds, "keel, 1 thread", round, start);
            remove(serial);

            Path tar = Files.createDirectories(dir.resolve("gnu-" + round));
            List<String> command = new ArrayList<>(gnu);
            command.addAll(List.of("-C", tar.toString()));
            sync();
            start = System.nanoTime();
            run(command);
            record(seconds, "GNU tar", round, start);
            remove(tar);

            if (umociImage != null) {
                Path bundle = dir.resolve("umoci-" + round);
                sync();
                start = System.nanoTime();
                run(List.of("umoci", "unpack", "--image", umociImage, bundle.toString()));
                record(seconds, "umoci unpack", round, start);
                remove(bundle);
            }
        }

        double keelMedian = median(seconds.get("keel"));
        System.out.printf("# %s layer, %.1f MB uncompressed, %d rounds after a warm-up; keel: %s, JVM flags %s%n",
                compression, size / 1e6, rounds, digests,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.printf("| %-14s | %12s | %12s | %12s | %14s |%n", "unpacker", "median MB/s", "min MB/s",
                "max MB/s", "keel / this");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, List<Double>> tool : seconds.entrySet()) {
            double median = median(tool.getValue());
            double slowest = tool.getValue().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double fastest = tool.getValue().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            System.out.printf("| %-14s | %12.1f | %12.1f | %12.1f | %14s |%n", tool.getKey(), size / median / 1e6,
                    size / slowest / 1e6, size / fastest / 1e6,
                    String.format("%.2f x", median / keelMedian));
        }
    }

    private static void record(Map<String, List<Double>> seconds, String tool, int round, long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (round > 0) {
            seconds.computeIfAbsent(tool, t -> new ArrayList<>()).add(elapsed);
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static void sync() throws IOException, InterruptedException {
        run(List.of("sync"));
    }

    private static void remove(Path path) throws IOException, InterruptedException {
        run(List.of("rm", "-rf", "--one-file-system", path.toString()));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + code);
        }
    }
}
