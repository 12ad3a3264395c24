package keel.image.oci.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import keel.api.KeelException;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.Platform;
import keel.image.oci.OciImageFormat;
import keel.image.oci.content.Digests;
import keel.image.oci.testing.Fixtures;
import keel.image.oci.testing.TestStore;
import keel.image.oci.testing.Tools;

/** Saving, and the round trips both ways with skopeo. */
class SaveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Fixtures fixtures;

    @TempDir
    Path tmp;

    private final OciImageFormat format = new OciImageFormat();

    @BeforeAll
    static void fixtures() {
        fixtures = Fixtures.get();
    }

    private Path save(List<LoadedImage> images, String kind, TestStore store, String file) throws Exception {
        Path out = tmp.resolve(file);
        try (OutputStream stream = Files.newOutputStream(out)) {
            format.save(images, kind, store, stream);
        }
        return out;
    }

    private static String manifestBytes(TestStore store, LoadedImage image) throws Exception {
        return Files.readString(store.path(image.manifest().digest()).orElseThrow());
    }

    @Test
    void ociArchiveIsReadBySkopeoAndLoadsAgain() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        List<LoadedImage> images = format.load(fixtures.ociArchive, null, store);
        LoadedImage image = images.get(0);
        Path archive = save(images, "oci-archive", store, "out-oci.tar");

        // skopeo selects by ref.name (the tag, as containerd and Docker write it) and sees our bytes
        assertEquals(manifestBytes(store, image), fixtures.inspectRaw("oci-archive:" + archive + ":1.36"));
        // a full copy makes skopeo read and verify every blob
        Tools.run(tmp, "skopeo", "copy", "-q", "oci-archive:" + archive + ":1.36", "oci:" + tmp.resolve("copy")
                + ":x");
        JsonNode index = JSON.readTree(tmp.resolve("copy/index.json").toFile());
        assertEquals(image.manifest().digest().toString(), index.at("/manifests/0/digest").asText());

        // Keel loads its own archive to the same image, names included (io.containerd.image.name)
        TestStore other = new TestStore(tmp.resolve("other"));
        assertEquals(images, format.load(archive, null, other));
    }

    @Test
    void dockerArchiveIsReadBySkopeoAndLoadsAgain() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        LoadedImage image = format.load(fixtures.dockerArchive, null, store).get(0);
        Path archive = save(List.of(image), "docker-archive", store, "out-docker.tar");

        JsonNode ours = JSON.readTree(manifestBytes(store, image));
        JsonNode skopeos = JSON.readTree(fixtures.inspectRaw("docker-archive:" + archive));
        assertEquals(ours.get("config"), skopeos.get("config"));
        assertEquals(ours.at("/layers/0/digest"), skopeos.at("/layers/0/digest"));
        assertEquals(ours.at("/config/digest").asText(), Digests.sha256(fixtures.inspectConfigRaw("docker-archive:"
                + archive).getBytes(StandardCharsets.UTF_8)).toString());
        JsonNode inspect = JSON.readTree(Tools.run(tmp, "skopeo", "inspect", "docker-archive:" + archive));
        assertEquals("amd64", inspect.get("Architecture").asText());
        Tools.run(tmp, "skopeo", "copy", "-q", "docker-archive:" + archive, "oci:" + tmp.resolve("copy") + ":x");

        // the layout is Docker 25's: manifest.json and repositories beside blobs/sha256
        JsonNode manifestJson = JSON.readTree(entry(archive, "manifest.json"));
        assertEquals(List.of("busybox:latest"), JSON.convertValue(manifestJson.at("/0/RepoTags"), List.class));
        assertTrue(manifestJson.at("/0/Config").asText().startsWith("blobs/sha256/"));
        assertEquals(1, JSON.readTree(entry(archive, "repositories")).get("busybox").size());

        // and Keel loads it back to the same manifest (it synthesizes the same schema 2 document)
        TestStore other = new TestStore(tmp.resolve("other"));
        assertEquals(List.of(image), format.load(archive, null, other));
    }

    @Test
    void anOciImageWithGzipLayersSavesAsADockerArchiveSkopeoReads() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        LoadedImage image = format.load(fixtures.ociArchive, null, store).get(0);
        Path archive = save(List.of(image), "docker-archive", store, "gzip-layers.tar");
        Tools.run(tmp, "skopeo", "copy", "-q", "docker-archive:" + archive, "oci:" + tmp.resolve("copy") + ":x");
        LoadedImage back = format.load(archive, null, new TestStore(tmp.resolve("other"))).get(0);
        assertEquals(image.names(), back.names());
        assertEquals(JSON.readTree(manifestBytes(store, image)).at("/layers/0/digest"),
                JSON.readTree(manifestBytes(new TestStore(tmp.resolve("other")), back)).at("/layers/0/digest"));
    }

    @Test
    void aDocker25ArchiveTakesItsNamesFromRepoTagsWhenTheIndexHasOnlyATag() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        LoadedImage image = format.load(fixtures.dockerArchive, null, store).get(0);
        Path dockerArchive = save(List.of(image), "docker-archive", store, "docker25.tar");
        // what Docker 25 writes: the docker-archive files plus oci-layout and an index.json whose entry
        // has org.opencontainers.image.ref.name = the tag only
        keel.image.oci.testing.TarBuilder docker25 = new keel.image.oci.testing.TarBuilder();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(dockerArchive))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isDirectory()) {
                    docker25.file(e.getName(), tar.readAllBytes());
                }
            }
        }
        byte[] manifest = Files.readAllBytes(store.path(image.manifest().digest()).orElseThrow());
        docker25.file("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}");
        docker25.file("index.json", keel.image.oci.testing.ImageParts.indexFor(manifest, "latest")
                .replace("application/vnd.oci.image.manifest.v1+json", image.manifest().mediaType()));
        Path archive = docker25.write(tmp.resolve("docker25-with-index.tar"));
        List<LoadedImage> loaded = format.load(archive, null, new TestStore(tmp.resolve("other")));
        assertEquals(List.of(image), loaded);
    }

    @Test
    void savingIsDeterministicAndSorted() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        List<LoadedImage> images = new ArrayList<>(format.load(fixtures.multiArchive, null, store));
        images.addAll(format.load(fixtures.multiArchive, new Platform("linux", "arm64", null), store));
        for (String kind : new String[] {"oci-archive", "docker-archive"}) {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            ByteArrayOutputStream second = new ByteArrayOutputStream();
            format.save(images, kind, store, first);
            format.save(images, kind, store, second);
            assertArrayEquals(first.toByteArray(), second.toByteArray(), kind);
            List<String> names = new ArrayList<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new java.io.ByteArrayInputStream(first.toByteArray()))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    names.add(e.getName());
                    assertEquals(0, e.getModTime().getTime());
                    assertEquals(0, e.getLongUserId());
                }
            }
            assertEquals(names.stream().sorted().toList(), names);
        }
    }

    @Test
    void aTwoNameImageHasTwoIndexEntriesAndSkopeoFindsEach() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        LoadedImage loaded = format.load(fixtures.ociArchive, null, store).get(0);
        LoadedImage twoNames = new LoadedImage(List.of(ImageReference.parse("busybox:1.36"),
                ImageReference.parse("127.0.0.1:5000/tools/busybox:stable")), loaded.manifest());
        Path archive = save(List.of(twoNames), "oci-archive", store, "two.tar");
        String bytes = manifestBytes(store, loaded);
        assertEquals(bytes, fixtures.inspectRaw("oci-archive:" + archive + ":1.36"));
        assertEquals(bytes, fixtures.inspectRaw("oci-archive:" + archive + ":stable"));
        assertEquals(List.of(twoNames), format.load(archive, null, new TestStore(tmp.resolve("other"))));
    }

    @Test
    void unknownFormatsAndIncompleteImagesAreRefused() throws Exception {
        TestStore store = new TestStore(tmp.resolve("store"));
        LoadedImage image = format.load(fixtures.ociArchive, null, store).get(0);
        OutputStream sink = OutputStream.nullOutputStream();
        assertTrue(assertThrows(KeelException.class, () -> format.save(List.of(image), "tarball", store, sink))
                .getMessage().contains("unknown image format 'tarball'"));
        assertTrue(assertThrows(KeelException.class, () -> format.save(List.of(image), "oci-layout", store, sink))
                .getMessage().contains("oci-archive"));
        TestStore empty = new TestStore(tmp.resolve("empty"));
        KeelException missing = assertThrows(KeelException.class,
                () -> format.save(List.of(image), "oci-archive", empty, sink));
        assertTrue(missing.getMessage().contains(image.manifest().digest().toString()), missing.getMessage());
    }

    private static byte[] entry(Path archive, String name) throws Exception {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return tar.readAllBytes();
                }
            }
        }
        throw new AssertionError(name + " not in " + archive);
    }
}
