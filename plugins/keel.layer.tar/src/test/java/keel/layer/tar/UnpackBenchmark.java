package keel.layer.tar;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/**
 * Keel's unpacker against GNU tar on the same layer, same disk (not JMH: a main, run by hand).
 *
 * <pre>
 * cd plugins/keel.layer.tar &amp;&amp; mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) keel.layer.tar.UnpackBenchmark [layer.tar] [rounds]
 * </pre>
 *
 * Without a layer it makes one: a tree of many small files (as /usr of a distribution) plus a few
 * large ones. It reports MB/s of uncompressed tar for tar, tar+gzip (GNU tar runs gzip as a second
 * process) and tar+zstd. Both read page-cached files and write to the same file system, with no
 * fsync (GNU tar does none); {@code -Dkeel.bench.dir=/dev/shm} takes the disk out of the
 * measurement.
 */
public final class UnpackBenchmark {
    private UnpackBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String dir = System.getProperty("keel.bench.dir", System.getProperty("java.io.tmpdir"));
        Path work = Files.createTempDirectory(Path.of(dir), "keel-unpack-bench");
        try {
            Path tar = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : makeLayer(work);
            int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
            Sh.run("gzip -k -c -6 " + Sh.q(tar) + " > " + Sh.q(work.resolve("layer.tar.gz")));
            Sh.run("zstd -q -3 -c " + Sh.q(tar) + " > " + Sh.q(work.resolve("layer.tar.zst")));
            long size = Files.size(tar);
            long entries = Long.parseLong(Sh.run("tar -tf " + Sh.q(tar) + " | wc -l").trim());
            System.out.printf("layer: %.1f MB uncompressed, %d entries%n", size / 1e6, entries);
            run("tar", tar, MediaTypes.OCI_LAYER_TAR, "tar -xpf", size, rounds, work);
            run("tar+gzip", work.resolve("layer.tar.gz"), MediaTypes.OCI_LAYER_GZIP, "tar -xzpf", size, rounds, work);
            run("tar+zstd", work.resolve("layer.tar.zst"), MediaTypes.OCI_LAYER_ZSTD, "tar --zstd -xpf", size, rounds,
                    work);
        } finally {
            delete(work);
        }
    }

    private static void run(String name, Path layer, String mediaType, String gnu, long size, int rounds, Path work)
            throws IOException {
        double keelBest = 0;
        double gnuBest = 0;
        TarLayerUnpacker unpacker = new TarLayerUnpacker();
        for (int round = 0; round < rounds; round++) {
            Path k = work.resolve("keel-" + round);
            Sh.run("sync"); // nothing dirty from before is paid for by the next measurement
            long start = System.nanoTime();
            UnpackResult result;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 20)) {
                result = unpacker.unpack(in, mediaType, k, WhiteoutStyle.OVERLAY, UnpackLimits.DEFAULT);
            }
            double keelSeconds = (System.nanoTime() - start) / 1e9;
            Path g = Files.createDirectories(work.resolve("gnu-" + round));
            Sh.run("sync");
            start = System.nanoTime();
            Sh.run(gnu + " " + Sh.q(layer) + " --numeric-owner --xattrs -C " + Sh.q(g));
            double gnuSeconds = (System.nanoTime() - start) / 1e9;
            if (round == 0 && rounds > 1) {
                delete(k);
                delete(g);
                continue; // warm-up: the JIT, the page cache
            }
            keelBest = Math.max(keelBest, size / keelSeconds / 1e6);
            gnuBest = Math.max(gnuBest, size / gnuSeconds / 1e6);
            if (result.bytes() != size) {
                throw new IllegalStateException("read " + result.bytes() + " of " + size);
            }
            delete(k);
            delete(g);
        }
        System.out.printf("%-9s keel %7.1f MB/s   GNU tar %7.1f MB/s   (best of %d after a warm-up)%n", name, keelBest, gnuBest,
                rounds - 1);
    }

    private static Path makeLayer(Path work) {
        Path src = work.resolve("src");
        Path tar = work.resolve("layer.tar");
        Sh.run("set -e; mkdir -p " + Sh.q(src) + "; cd " + Sh.q(src)
                + "; for d in $(seq 1 60); do mkdir -p usr/share/d$d/sub; for f in $(seq 1 150); do"
                + " head -c $(( (f * 7919) % 20000 + 100 )) /dev/urandom > usr/share/d$d/f$f; done;"
                + " ln -s f1 usr/share/d$d/link; done"
                + "; mkdir big; for i in 1 2 3; do head -c 60000000 /dev/urandom > big/blob$i; done"
                + "; base64 -w 100 big/blob1 | head -c 80000000 > big/text"
                + "; tar -cf " + Sh.q(tar) + " .");
        return tar;
    }

    private static void delete(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
