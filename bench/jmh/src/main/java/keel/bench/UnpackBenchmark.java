package keel.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

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

import com.github.luben.zstd.ZstdOutputStream;

import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;
import keel.layer.tar.TarLayerUnpacker;

/**
 * The tar-layer unpacker's inner loop: a layer held in memory (so no source I/O is measured)
 * applied into a fresh directory on tmpfs (so no disk is measured): what is left is the tar
 * reading, the decompression, the diff-id hashing and the file system calls per entry.
 *
 * <ul>
 * <li>{@code files}: 2,000 files of 1 to 8 KiB in 100 directories, with a symlink per directory
 * (a distribution's /usr: the per-entry cost dominates).</li>
 * <li>{@code large}: one 64 MiB file of text (the per-byte cost dominates).</li>
 * </ul>
 *
 * Each layer is read as tar, tar+gzip and tar+zstd. The uncompressed size of each shape is printed
 * at setup, so that ms/op gives MB/s. The target directory is {@code -Dkeel.bench.dir} (default
 * /dev/shm). Run: {@code java -jar bench/jmh/target/benchmarks.jar UnpackBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class UnpackBenchmark {
    @Param({"files", "large"})
    public String shape;

    @Param({"tar", "gzip", "zstd"})
    public String compression;

    private final TarLayerUnpacker unpacker = new TarLayerUnpacker();
    private byte[] layer;
    private String mediaType;
    private Path work;
    private Path target;
    private int round;

    @Setup(Level.Trial)
    public void makeLayer() throws IOException {
        byte[] tar = shape.equals("files") ? manyFiles() : oneLargeFile();
        System.out.printf("%n[layer] shape %s: %d bytes uncompressed%n", shape, tar.length);
        switch (compression) {
            case "tar" -> {
                layer = tar;
                mediaType = MediaTypes.OCI_LAYER_TAR;
            }
            case "gzip" -> {
                layer = compress(tar, out -> new GZIPOutputStream(out, 1 << 16));
                mediaType = MediaTypes.OCI_LAYER_GZIP;
            }
            case "zstd" -> {
                layer = compress(tar, out -> new ZstdOutputStream(out, 3));
                mediaType = MediaTypes.OCI_LAYER_ZSTD;
            }
            default -> throw new IllegalArgumentException("compression " + compression);
        }
        work = Files.createTempDirectory(Path.of(System.getProperty("keel.bench.dir", "/dev/shm")), "keel-jmh-");
    }

    @Setup(Level.Invocation)
    public void freshTarget() {
        target = work.resolve("t" + round++);
    }

    @Benchmark
    public UnpackResult unpack() {
        return unpacker.unpack(new ByteArrayInputStream(layer), mediaType, target, WhiteoutStyle.OVERLAY,
                UnpackLimits.DEFAULT);
    }

    @TearDown(Level.Invocation)
    public void removeTarget() throws IOException {
        delete(target);
    }

    @TearDown(Level.Trial)
    public void removeWork() throws IOException {
        delete(work);
    }

    private static byte[] manyFiles() throws IOException {
        Random random = new Random(42);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int d = 0; d < 100; d++) {
                String dir = "usr/share/d" + d + "/";
                TarArchiveEntry dirEntry = new TarArchiveEntry(dir);
                dirEntry.setMode(040755);
                tar.putArchiveEntry(dirEntry);
                tar.closeArchiveEntry();
                for (int f = 0; f < 20; f++) {
                    byte[] data = text(random, 1024 + random.nextInt(7 * 1024));
                    TarArchiveEntry file = new TarArchiveEntry(dir + "file" + f + ".txt");
                    file.setMode(0100644);
                    file.setSize(data.length);
                    tar.putArchiveEntry(file);
                    tar.write(data);
                    tar.closeArchiveEntry();
                }
                TarArchiveEntry link = new TarArchiveEntry(dir + "link", TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("file0.txt");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] oneLargeFile() throws IOException {
        Random random = new Random(42);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            int size = 64 << 20;
            TarArchiveEntry file = new TarArchiveEntry("data/large.txt");
            file.setMode(0100644);
            file.setSize(size);
            tar.putArchiveEntry(file);
            byte[] chunk = text(random, 1 << 20);
            for (int written = 0; written < size; written += chunk.length) {
                tar.write(chunk);
                chunk = text(random, 1 << 20);
            }
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /** Words from a small vocabulary: compressible about as much as source code or man pages. */
    private static byte[] text(Random random, int length) {
        String[] words = {"container", "layer", "the", "of", "kernel", "namespace", "mount", "0x7f", "return",
            "int", "static", "void", "{", "}", "\n", "overlay", "cgroup", "unpack", "error", "=", ";"};
        StringBuilder text = new StringBuilder(length + 16);
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]).append(' ');
        }
        return text.substring(0, length).getBytes(StandardCharsets.US_ASCII);
    }

    private interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] compress(byte[] data, Compressor compressor) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = compressor.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static void delete(Path path) throws IOException {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
