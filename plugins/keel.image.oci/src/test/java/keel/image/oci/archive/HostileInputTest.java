package keel.image.oci.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.Digest;
import keel.api.image.LoadedImage;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Limits;
import keel.image.oci.testing.Fixtures;
import keel.image.oci.testing.ImageParts;
import keel.image.oci.testing.TarBuilder;
import keel.image.oci.testing.TestStore;

/**
 * Untrusted archives: each one fails with an error that says what is wrong, returns no image, and
 * leaves nothing in the store but blobs it verified (and no temporary files).
 */
class HostileInputTest {
    private static ImageParts parts;

    @TempDir
    Path tmp;

    private TestStore store;
    private final ImageLoader loader = new ImageLoader(Limits.DEFAULT);

    @BeforeAll
    static void fixtures() {
        parts = ImageParts.of(Fixtures.get());
    }

    @AfterEach
    void onlyVerifiedBlobsRemain() throws Exception {
        if (store == null) {
            return;
        }
        assertEquals(List.of(), store.debris(), "temporary files left in the store");
        for (Digest blob : store.blobs()) {
            assertEquals(blob, Digests.sha256(Files.readAllBytes(store.path(blob).orElseThrow())));
        }
    }

    /** Loads {@code source}, which must fail; returns the error. */
    private KeelException refused(Path source) {
        store = new TestStore(tmp.resolve("store"));
        List<LoadedImage>[] loaded = new List[1];
        KeelException e = assertThrows(KeelException.class, () -> loaded[0] = loader.load(source, null, store));
        assertEquals(null, loaded[0]);
        return e;
    }

    private static void assertMessage(KeelException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    private Path tar(TarBuilder builder) {
        return builder.write(tmp.resolve("hostile.tar"));
    }

    @Test
    void theUntamperedPartsLoad() {
        store = new TestStore(tmp.resolve("store"));
        assertEquals(1, loader.load(tar(parts.archive(parts.manifest())), null, store).size());
    }

    @Test
    void dotDotNamesAreRefused() {
        KeelException e = refused(tar(parts.archive(parts.manifest()).file("blobs/../../etc/cron.d/x", "evil")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertMessage(e, "'..'", "blobs/../../etc/cron.d/x");
    }

    @Test
    void absoluteNamesAreRefused() {
        assertMessage(refused(tar(new TarBuilder().file("/etc/passwd", "root::0:0::/:/bin/sh")
                .file("oci-layout", "{}"))), "absolute name", "/etc/passwd");
    }

    @Test
    void aPaxPathOverrideIsCheckedLikeAName() {
        assertMessage(refused(tar(parts.archive(parts.manifest())
                .paxPath("innocent", "../../../tmp/evil", "x".getBytes(StandardCharsets.UTF_8)))),
                "'..'", "../../../tmp/evil");
    }

    @Test
    void linksOutOfTheArchiveAreRefused() {
        assertMessage(refused(tar(parts.archive(parts.manifest()).symlink("layer.tar", "../../etc/shadow"))),
                "points outside the archive");
        assertMessage(refused(tar(parts.archive(parts.manifest()).symlink("layer.tar", "/etc/shadow"))),
                "absolute or empty target");
    }

    @Test
    void specialFilesAreRefused() {
        assertMessage(refused(tar(parts.archive(parts.manifest()).fifo("pipe"))), "'pipe'", "tar type '6'");
    }

    @Test
    void aBlobWhoseContentIsNotItsDigestIsRefused() {
        byte[] layer = parts.layer().clone();
        layer[layer.length / 2] ^= 1;
        TarBuilder archive = new TarBuilder()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", ImageParts.indexFor(parts.manifest(), "example.com/hostile:1"))
                .file(ImageParts.blobName(parts.manifest()), parts.manifest())
                .file(ImageParts.blobName(parts.configDigest()), parts.config())
                .file(ImageParts.blobName(parts.layerDigest()), layer);
        KeelException e = refused(tar(archive));
        assertMessage(e, "digest mismatch", parts.layerDigest().toString(), Digests.sha256(layer).toString());
        assertTrue(store.path(parts.layerDigest()).isEmpty());
    }

    @Test
    void aBlobTooBigForTheEagerPassIsStillVerified() {
        byte[] layer = parts.layer().clone();
        layer[0] ^= 1;
        TarBuilder archive = new TarBuilder()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", ImageParts.indexFor(parts.manifest(), "example.com/hostile:1"))
                .file(ImageParts.blobName(parts.manifest()), parts.manifest())
                .file(ImageParts.blobName(parts.configDigest()), parts.config())
                .file(ImageParts.blobName(parts.layerDigest()), layer);
        store = new TestStore(tmp.resolve("store"));
        ImageLoader noEager = new ImageLoader(new Limits(4 << 20, 1000, 100, 4, 0));
        KeelException e = assertThrows(KeelException.class, () -> noEager.load(tar(archive), null, store));
        assertMessage(e, "digest mismatch", parts.layerDigest().toString());
    }

    @Test
    void aManifestWhoseLayerSizeLiesIsRefused() {
        long size = parts.layer().length;
        byte[] lying = parts.manifestText().replace("\"size\":" + size, "\"size\":" + (size + 1))
                .getBytes(StandardCharsets.UTF_8);
        KeelException e = refused(tar(parts.archive(lying)));
        assertMessage(e, parts.layerDigest().toString(), "says " + (size + 1) + " bytes", "has " + size);
        // without the eager pass the archive's own entry size is what contradicts the descriptor
        store = new TestStore(tmp.resolve("store2"));
        ImageLoader noEager = new ImageLoader(new Limits(4 << 20, 1000, 100, 4, 0));
        KeelException second = assertThrows(KeelException.class, () -> noEager.load(tar(parts.archive(lying)), null,
                store));
        assertMessage(second, parts.layerDigest().toString(), "is " + size + " bytes", "says " + (size + 1));
    }

    @Test
    void aLyingSizeIsCaughtEvenWhenTheBlobIsAlreadyStored() {
        store = new TestStore(tmp.resolve("store"));
        loader.load(tar(parts.archive(parts.manifest())), null, store);
        long size = parts.layer().length;
        byte[] lying = parts.manifestText().replace("\"size\":" + size, "\"size\":" + (size - 1))
                .getBytes(StandardCharsets.UTF_8);
        Path source = parts.archive(lying).write(tmp.resolve("lying.tar"));
        KeelException e = assertThrows(KeelException.class, () -> loader.load(source, null, store));
        assertMessage(e, parts.layerDigest().toString(), "says " + (size - 1), "has " + size);
    }

    @Test
    void aTruncatedArchiveIsRefused() throws Exception {
        byte[] whole = parts.archive(parts.manifest()).build();
        for (int cut : new int[] {whole.length / 2, whole.length - 2048, 700}) {
            Path truncated = Files.write(tmp.resolve("truncated-" + cut + ".tar"), Arrays.copyOf(whole, cut));
            KeelException e = refused(truncated);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("does not contain"),
                    cut + ": " + e.getMessage());
        }
        Path gz = tmp.resolve("truncated.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(whole);
        }
        byte[] gzBytes = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(gzBytes, gzBytes.length / 2));
        assertMessage(refused(gz), "gzip", "truncated");
    }

    @Test
    void oversizedJsonIsRefusedBeforeItIsRead() {
        String padded = ImageParts.indexFor(parts.manifest(), "example.com/hostile:1") + " ".repeat(5 << 20);
        assertMessage(refused(tar(new TarBuilder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", padded))), "index.json", "4194304-byte limit");
        String manifestJson = "[" + " ".repeat(5 << 20) + "]";
        assertMessage(refused(tar(new TarBuilder().file("manifest.json", manifestJson))), "manifest.json",
                "4194304-byte limit");
        // a descriptor that claims a 100 MiB manifest is refused without reading it
        String bigIndex = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + Digests.sha256(parts.manifest()) + "\",\"size\":104857600}]}";
        TarBuilder claims = new TarBuilder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", bigIndex).file(ImageParts.blobName(parts.manifest()), parts.manifest());
        assertMessage(refused(tar(claims)), "104857600 bytes", "4194304-byte limit");
    }

    @Test
    void ambiguousJsonIsRefused() {
        String duplicateKey = "{\"schemaVersion\":2,\"manifests\":[],\"manifests\":[]}";
        assertMessage(refused(tar(new TarBuilder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", duplicateKey))), "Duplicate field 'manifests'");
        byte[] both = parts.manifestText().replaceFirst("\\{", "{\"manifests\":[],").getBytes(StandardCharsets.UTF_8);
        assertMessage(refused(tar(parts.archive(both))), "ambiguous");
        byte[] mislabelled = parts.manifestText().replaceFirst("\\{",
                "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",").getBytes(StandardCharsets.UTF_8);
        assertMessage(refused(tar(parts.archive(mislabelled))), "says its mediaType is application/vnd.oci.image.index");
    }

    @Test
    void duplicateAndMalformedEntriesAreRefused() {
        assertMessage(refused(tar(parts.archive(parts.manifest()).file("index.json", "{}"))), "names 'index.json' twice");
        assertMessage(refused(tar(parts.archive(parts.manifest()).file("blobs/sha256/ABC", "x"))),
                "blobs/sha256/ABC", "64 lower-case hex");
        assertMessage(refused(tar(parts.archive(parts.manifest()).file("blobs/md5/" + "0".repeat(32), "x"))),
                "is under blobs/");
    }

    @Test
    void aDockerLayerThatIsNotItsDiffIdIsRefused() {
        byte[] otherLayer = "not the layer the config describes".getBytes(StandardCharsets.UTF_8);
        String manifestJson = "[{\"Config\":\"config.json\",\"RepoTags\":[\"hostile:1\"],\"Layers\":[\"layer.tar\"]}]";
        Path source = tar(new TarBuilder().file("config.json", parts.config()).file("layer.tar", otherLayer)
                .file("manifest.json", manifestJson));
        assertMessage(refused(source), "Layers[0]", Digests.sha256(otherLayer).toString(), "diff_ids[0]");
    }

    @Test
    void dockerManifestPathsAreCheckedLikeEntryNames() {
        String manifestJson = "[{\"Config\":\"../config.json\",\"RepoTags\":[],\"Layers\":[]}]";
        assertMessage(refused(tar(new TarBuilder().file("manifest.json", manifestJson))), "Config", "'..'");
    }

    @Test
    void thingsThatAreNotImageArchivesSayWhatTheyAre() throws Exception {
        assertMessage(refused(Files.write(tmp.resolve("zstd"), new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0})),
                "zstd-compressed");
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        noise[0] = 'x';
        assertMessage(refused(Files.write(tmp.resolve("noise"), noise)), "not a valid tar archive");
        assertMessage(refused(tar(new TarBuilder().file("hello.txt", "hi"))), "neither an OCI archive");
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        assertMessage(refused(dir), "not an OCI image layout");
        assertEquals(ErrorKind.NOT_FOUND, refused(tmp.resolve("absent")).kind());
    }

    @Test
    void aLayoutBlobThatIsASymlinkIsNotFollowed() throws Exception {
        Path layout = Files.createDirectories(tmp.resolve("layout/blobs/sha256")).getParent().getParent();
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), ImageParts.indexFor(parts.manifest(), "example.com/x:1"));
        Path secret = Files.write(tmp.resolve("secret"), parts.manifest());
        Files.createSymbolicLink(layout.resolve(ImageParts.blobName(parts.manifest())), secret);
        assertMessage(refused(layout), "not a regular file");
    }
}
