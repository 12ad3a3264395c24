package keel.image.oci.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.Digest;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.MediaTypes;
import keel.api.image.Platform;
import keel.image.oci.OciImageFormat;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Documents;
import keel.image.oci.content.Limits;
import keel.image.oci.testing.Fixtures;
import keel.image.oci.testing.TestStore;
import keel.image.oci.testing.Tools;

/** Loading what umoci and skopeo wrote; every digest compared with what skopeo inspect reports. */
class LoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Fixtures fixtures;

    @TempDir
    Path tmp;

    private final ImageLoader loader = new ImageLoader(Limits.DEFAULT);

    @BeforeAll
    static void fixtures() {
        fixtures = Fixtures.get();
    }

    private TestStore store() {
        return new TestStore(tmp.resolve("store"));
    }

    /** The manifest, config and layers in the store are the ones skopeo sees, byte for byte. */
    private static void assertAsSkopeoSees(TestStore store, LoadedImage image, String transportReference)
            throws Exception {
        byte[] raw = fixtures.inspectRaw(transportReference).getBytes(StandardCharsets.UTF_8);
        assertEquals(Digests.sha256(raw), image.manifest().digest(), "manifest digest as skopeo inspect --raw");
        assertEquals(raw.length, image.manifest().size());
        JsonNode manifest = JSON.readTree(raw);
        assertStored(store, manifest);
        byte[] config = fixtures.inspectConfigRaw(transportReference).getBytes(StandardCharsets.UTF_8);
        assertEquals(manifest.at("/config/digest").asText(), Digests.sha256(config).toString());
    }

    private static void assertStored(TestStore store, JsonNode manifest) throws Exception {
        List<JsonNode> blobs = new java.util.ArrayList<>();
        blobs.add(manifest.get("config"));
        manifest.get("layers").forEach(blobs::add);
        for (JsonNode d : blobs) {
            Digest digest = Digest.parse(d.get("digest").asText());
            Path file = store.path(digest).orElseThrow(() -> new AssertionError(digest + " not stored"));
            assertEquals(d.get("size").asLong(), Files.size(file));
            assertEquals(digest, Digests.sha256(Files.readAllBytes(file)));
        }
    }

    @Test
    void ociLayoutMadeByUmociLoadsEveryImage() throws Exception {
        TestStore store = store();
        List<LoadedImage> images = loader.load(fixtures.layout, null, store);
        // latest (amd64), arm64, layers (amd64, four layers), and multi resolving to latest's manifest again
        assertEquals(3, images.size(), images.toString());
        for (String tag : new String[] {Fixtures.AMD64, Fixtures.ARM64, Fixtures.LAYERS}) {
            Digest expected = Digests.sha256(fixtures.inspectRaw("oci:" + fixtures.layout + ":" + tag)
                    .getBytes(StandardCharsets.UTF_8));
            LoadedImage image = images.stream().filter(i -> i.manifest().digest().equals(expected)).findFirst()
                    .orElseThrow(() -> new AssertionError(tag + " " + expected + " not loaded: " + images));
            assertAsSkopeoSees(store, image, "oci:" + fixtures.layout + ":" + tag);
            assertEquals(tag.equals(Fixtures.ARM64) ? "arm64" : "amd64", image.manifest().platform().architecture());
        }
        LoadedImage amd64 = images.stream().filter(i -> i.manifest().platform().equals(Platform.LINUX_AMD64))
                .findFirst().orElseThrow();
        // bare tags in org.opencontainers.image.ref.name name no repository (containerd does the same)
        assertTrue(amd64.names().isEmpty());
        assertTrue(store.debris().isEmpty());
    }

    @Test
    void ociArchiveWrittenBySkopeoLoadsWithItsName() throws Exception {
        TestStore store = store();
        List<LoadedImage> images = new OciImageFormat().load(fixtures.ociArchive, Platform.LINUX_AMD64, store);
        assertEquals(1, images.size());
        LoadedImage image = images.get(0);
        assertEquals(List.of(ImageReference.parse("busybox:1.36")), image.names());
        assertEquals(MediaTypes.OCI_MANIFEST, image.manifest().mediaType());
        assertAsSkopeoSees(store, image, "oci-archive:" + fixtures.ociArchive + ":" + Fixtures.OCI_ARCHIVE_NAME);
    }

    @Test
    void dockerArchiveWrittenBySkopeoIsConvertedToASchema2Manifest() throws Exception {
        TestStore store = store();
        List<LoadedImage> images = loader.load(fixtures.dockerArchive, null, store);
        assertEquals(1, images.size());
        LoadedImage image = images.get(0);
        assertEquals(List.of(ImageReference.parse("docker.io/library/busybox:latest")), image.names());
        assertEquals(MediaTypes.DOCKER_MANIFEST, image.manifest().mediaType());
        assertEquals(Platform.LINUX_AMD64, image.manifest().platform());

        // the manifest is Keel's own (skopeo synthesizes another with other media types), its digest over
        // the bytes stored; config and layer are the blobs skopeo reports
        byte[] stored = Files.readAllBytes(store.path(image.manifest().digest()).orElseThrow());
        assertEquals(Digests.sha256(stored), image.manifest().digest());
        JsonNode ours = JSON.readTree(stored);
        JsonNode skopeos = JSON.readTree(fixtures.inspectRaw("docker-archive:" + fixtures.dockerArchive));
        assertEquals(skopeos.at("/config/digest"), ours.at("/config/digest"));
        assertEquals(skopeos.at("/config/size"), ours.at("/config/size"));
        assertEquals(skopeos.at("/layers/0/digest"), ours.at("/layers/0/digest"));
        assertEquals(skopeos.at("/layers/0/size"), ours.at("/layers/0/size"));
        assertEquals(1, ours.get("layers").size());
        // skopeo's docker-archive layers are plain tar: found as such
        assertEquals(Documents.DOCKER_LAYER_TAR, ours.at("/layers/0/mediaType").asText());
        assertEquals(MediaTypes.DOCKER_CONFIG, ours.at("/config/mediaType").asText());
        assertStored(store, ours);
        byte[] config = fixtures.inspectConfigRaw("docker-archive:" + fixtures.dockerArchive)
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(ours.at("/config/digest").asText(), Digests.sha256(config).toString());
    }

    @Test
    void gzipCompressedArchiveIsReadAsGzip() throws Exception {
        Path copy = tmp.resolve("busybox-docker.tar");
        Files.copy(fixtures.dockerArchive, copy);
        Tools.run(tmp, "gzip", "-n", copy.getFileName().toString());
        Path gz = tmp.resolve("busybox-docker.tar.gz");
        TestStore store = store();
        List<LoadedImage> images = loader.load(gz, null, store);
        List<LoadedImage> plain = loader.load(fixtures.dockerArchive, null, new TestStore(tmp.resolve("other")));
        assertEquals(plain, images);
    }

    @Test
    void multiPlatformIndexPicksAmd64ByDefaultAndArm64OnRequest() throws Exception {
        String index = fixtures.inspectRaw("oci-archive:" + fixtures.multiArchive + ":" + Fixtures.MULTI_ARCHIVE_NAME);
        assertEquals(fixtures.multiIndex, Digests.sha256(index.getBytes(StandardCharsets.UTF_8)));
        JsonNode manifests = JSON.readTree(index).get("manifests");

        LoadedImage amd64 = loader.load(fixtures.multiArchive, null, store()).get(0);
        assertEquals(manifests.at("/0/digest").asText(), amd64.manifest().digest().toString());
        assertEquals(Platform.LINUX_AMD64, amd64.manifest().platform());
        assertEquals(List.of(ImageReference.parse(Fixtures.MULTI_ARCHIVE_NAME)), amd64.names());

        TestStore armStore = new TestStore(tmp.resolve("arm"));
        LoadedImage arm64 = loader.load(fixtures.multiArchive, new Platform("linux", "arm64", null), armStore).get(0);
        assertEquals(manifests.at("/1/digest").asText(), arm64.manifest().digest().toString());
        assertEquals("arm64", arm64.manifest().platform().architecture());
        // aarch64 and arm64/v8 are the same platform
        assertEquals(arm64, loader.load(fixtures.multiArchive, new Platform("linux", "aarch64", "v8"), armStore).get(0));
        assertAsSkopeoSees(armStore, arm64, "oci:" + fixtures.layout + ":" + Fixtures.ARM64);
    }

    @Test
    void aMissingPlatformIsNamedWithTheAvailableOnes() {
        KeelException e = assertThrows(KeelException.class,
                () -> loader.load(fixtures.multiArchive, new Platform("linux", "s390x", null), store()));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("linux/s390x"), e.getMessage());
        assertTrue(e.getMessage().contains("available platforms: linux/amd64, linux/arm64"), e.getMessage());
    }

    @Test
    void aSecondLoadWritesNothing() {
        TestStore store = store();
        List<LoadedImage> first = loader.load(fixtures.ociArchive, null, store);
        int writes = store.writes().size();
        assertEquals(3, writes, "manifest, config, layer");
        List<LoadedImage> second = loader.load(fixtures.ociArchive, null, store);
        assertEquals(first, second);
        assertEquals(writes, store.writes().size());
    }
}
