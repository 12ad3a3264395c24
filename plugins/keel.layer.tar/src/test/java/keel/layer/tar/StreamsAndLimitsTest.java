package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.luben.zstd.ZstdOutputStream;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/** Media types, diff ids, broken streams and the limits. */
class StreamsAndLimitsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void root() {
        assumeTrue(TestLibC.geteuid() == 0, "needs root");
    }

    static byte[] sampleTar() {
        Layers layers = new Layers().dir("etc").file("etc/hostname", "keel\n");
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >> 12));
        }
        return layers.put(new org.apache.commons.compress.archivers.tar.TarArchiveEntry("big"), big).bytes();
    }

    private UnpackResult unpack(byte[] layer, String mediaType, UnpackLimits limits) {
        return new TarLayerUnpacker().unpack(new ByteArrayInputStream(layer), mediaType, tmp.resolve("rootfs"),
                WhiteoutStyle.DELETE, limits);
    }

    private KeelException refused(byte[] layer, String mediaType, UnpackLimits limits, String... parts) {
        KeelException e = assertThrows(KeelException.class, () -> unpack(layer, mediaType, limits));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' names '" + part + "'");
        }
        return e;
    }

    @Test
    void diffIdIsTheSha256OfTheUncompressedTarForEveryCompression() throws IOException {
        byte[] tar = sampleTar();
        Path tarFile = Files.write(tmp.resolve("layer.tar"), tar);
        String expected = Sh.run("sha256sum " + Sh.q(tarFile)).substring(0, 64);
        Sh.run("gzip -k -6 " + Sh.q(tarFile));
        byte[] gzip = Files.readAllBytes(tmp.resolve("layer.tar.gz"));
        byte[] zstd;
        if (Sh.has("zstd")) {
            Sh.run("zstd -q -3 " + Sh.q(tarFile) + " -o " + Sh.q(tmp.resolve("layer.tar.zst")));
            zstd = Files.readAllBytes(tmp.resolve("layer.tar.zst"));
        } else {
            zstd = zstd(tar);
        }
        for (Object[] c : new Object[][] {{tar, MediaTypes.OCI_LAYER_TAR}, {gzip, MediaTypes.OCI_LAYER_GZIP},
                {gzip, MediaTypes.DOCKER_LAYER_GZIP}, {zstd, MediaTypes.OCI_LAYER_ZSTD}, {zstd(tar),
                        MediaTypes.OCI_LAYER_ZSTD}}) {
            UnpackResult result = unpack((byte[]) c[0], (String) c[1], UnpackLimits.DEFAULT);
            assertEquals("sha256:" + expected, result.diffId().toString(), (String) c[1]);
            assertEquals(tar.length, result.bytes());
            assertEquals(3, result.entries());
            assertEquals("keel\n", Files.readString(tmp.resolve("rootfs/etc/hostname")));
        }
    }

    @Test
    void concatenatedGzipMembersAreOneLayer() throws IOException {
        byte[] tar = sampleTar();
        int half = tar.length / 2;
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(gzip(Arrays.copyOfRange(tar, 0, half)));
        both.writeBytes(gzip(Arrays.copyOfRange(tar, half, tar.length)));
        UnpackResult result = unpack(both.toByteArray(), MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT);
        assertEquals(Manifest.sha256(tar), result.diffId().hex());
    }

    @Test
    void trailingDataAfterTheTarCountsForTheDiffId() {
        byte[] tar = sampleTar();
        byte[] longer = Arrays.copyOf(tar, tar.length + 4096); // more zero blocks, as some writers pad
        UnpackResult result = unpack(longer, MediaTypes.OCI_LAYER_TAR, UnpackLimits.DEFAULT);
        assertEquals(Manifest.sha256(longer), result.diffId().hex());
        assertEquals(longer.length, result.bytes());
    }

    @Test
    void mediaTypeDecidesNeverTheContent() {
        byte[] tar = sampleTar();
        refused(gzip(tar), MediaTypes.OCI_LAYER_ZSTD, UnpackLimits.DEFAULT, "corrupt or truncated");
        refused(zstd(tar), MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT, "corrupt or truncated", "gzip");
        refused(gzip(tar), MediaTypes.OCI_LAYER_TAR, UnpackLimits.DEFAULT, "corrupt or truncated");
        refused(tar, "application/vnd.oci.image.layer.v1.tar+bzip2", UnpackLimits.DEFAULT, "is not one the tar unpacker reads");
        refused(tar, null, UnpackLimits.DEFAULT, "is not one the tar unpacker reads");
    }

    @Test
    void truncatedGzipIsRefused() {
        byte[] gzip = gzip(sampleTar());
        refused(Arrays.copyOf(gzip, gzip.length / 2), MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT,
                "corrupt or truncated", "truncated gzip");
        refused(Arrays.copyOf(gzip, gzip.length - 4), MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT,
                "corrupt or truncated");
        refused(new byte[0], MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT, "corrupt or truncated");
        byte[] garbage = Arrays.copyOf(gzip, gzip.length + 3);
        refused(garbage, MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT, "after the end of a gzip member");
    }

    @Test
    void corruptGzipIsRefused() {
        byte[] gzip = gzip(sampleTar());
        gzip[gzip.length - 6] ^= 0x55; // the CRC-32
        refused(gzip, MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT, "CRC-32");
    }

    @Test
    void corruptAndTruncatedZstdAreRefused() {
        byte[] zstd = zstd(sampleTar());
        byte[] corrupt = zstd.clone();
        for (int i = corrupt.length / 3; i < corrupt.length / 3 + 64; i++) {
            corrupt[i] ^= (byte) 0xa5;
        }
        refused(corrupt, MediaTypes.OCI_LAYER_ZSTD, UnpackLimits.DEFAULT, "corrupt or truncated");
        refused(Arrays.copyOf(zstd, zstd.length / 2), MediaTypes.OCI_LAYER_ZSTD, UnpackLimits.DEFAULT,
                "corrupt or truncated");
    }

    @Test
    void truncatedTarIsRefused() {
        byte[] tar = sampleTar();
        refused(Arrays.copyOf(tar, 2048 + 1000), MediaTypes.OCI_LAYER_TAR, UnpackLimits.DEFAULT,
                "corrupt or truncated");
        byte[] badChecksum = tar.clone();
        badChecksum[0] ^= 1;
        refused(badChecksum, MediaTypes.OCI_LAYER_TAR, UnpackLimits.DEFAULT, "wrong checksum");
    }

    /** 1 GiB of zeros, gzipped on the fly (about 1 MiB), under a 10 MiB limit. */
    @Test
    void aDecompressionBombStopsAtTheLimit() throws IOException {
        byte[] zeros = gzipOfZeros(1L << 30, null);
        long start = System.nanoTime();
        refused(zeros, MediaTypes.OCI_LAYER_GZIP, new UnpackLimits(10 << 20, 1000, 4096), "UnpackLimits.maxBytes");
        // a file entry that claims 1 GiB: writing stops near the limit too
        byte[] header = new RawTar().file("bomb", new byte[0]).bytes();
        byte[] size = String.format("%011o", 1L << 30).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, header, 124, 11);
        HostileLayerTest.fixChecksum(header);
        byte[] bomb = gzipOfZeros(1L << 30, Arrays.copyOf(header, 512));
        refused(bomb, MediaTypes.OCI_LAYER_GZIP, new UnpackLimits(10 << 20, 1000, 4096), "UnpackLimits.maxBytes");
        long written = Files.size(tmp.resolve("rootfs/bomb"));
        assertTrue(written <= (12 << 20), "stopped early: " + written + " bytes written");
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "stopped early, not after a GiB");
    }

    @Test
    void tooManyEntriesAreRefused() {
        Layers layers = new Layers();
        for (int i = 0; i < 20; i++) {
            layers.file("f" + i, "x");
        }
        refused(layers.bytes(), MediaTypes.OCI_LAYER_TAR, new UnpackLimits(1 << 20, 10, 4096),
                "UnpackLimits.maxEntries");
    }

    @Test
    void describeSaysWhatTheUnpackerUses() {
        var facts = new TarLayerUnpacker().describe();
        assertEquals(Boolean.toString(RootDir.OPENAT2_AVAILABLE), facts.get("openat2"));
        assertTrue(facts.get("media.types").contains(MediaTypes.OCI_LAYER_ZSTD));
        assertTrue(new TarLayerUnpacker().mediaTypes().contains(MediaTypes.DOCKER_LAYER_GZIP));
        assertTrue(new TarLayerUnpacker(false).describe().get("resolver").contains("walk"));
    }

    @Test
    void noDescriptorOrThreadOutlivesAnUnpack() throws IOException, InterruptedException {
        byte[] tar = sampleTar();
        byte[] gzip = gzip(tar);
        byte[] truncated = Arrays.copyOf(gzip, gzip.length / 2);
        byte[] escaping = new Layers().symlink("s", "/").file("s/x", "x").file("../y", "y").bytes();
        unpack(tar, MediaTypes.OCI_LAYER_TAR, UnpackLimits.DEFAULT); // loads the classes, opens the jars
        long before = openDescriptors();
        for (int i = 0; i < 30; i++) {
            unpack(gzip, MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT);
            assertThrows(KeelException.class, () -> unpack(truncated, MediaTypes.OCI_LAYER_GZIP, UnpackLimits.DEFAULT));
            assertThrows(KeelException.class, () -> unpack(escaping, MediaTypes.OCI_LAYER_TAR, UnpackLimits.DEFAULT));
            assertThrows(KeelException.class, () -> unpack(tar, MediaTypes.OCI_LAYER_TAR, new UnpackLimits(1000, 10, 100)));
        }
        long after = openDescriptors();
        assertTrue(after <= before, "open descriptors: " + before + " before 120 unpacks, " + after + " after");
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("keel-layer-read") && t.isAlive()).count(), "reader threads left");
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out, 3)) {
            z.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static byte[] gzipOfZeros(long count, byte[] prefix) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(1); // fast: zeros compress anyway
            }
        }) {
            if (prefix != null) {
                gz.write(prefix);
            }
            byte[] zeros = new byte[1 << 20];
            for (long done = 0; done < count; done += zeros.length) {
                gz.write(zeros);
            }
        }
        return out.toByteArray();
    }
}
