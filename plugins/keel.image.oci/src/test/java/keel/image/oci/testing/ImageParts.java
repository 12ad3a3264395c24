package keel.image.oci.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import keel.api.image.Digest;
import keel.image.oci.content.Digests;

/**
 * The blobs of the umoci-made amd64 busybox image, for tests that tamper with one of them and
 * write the result as an OCI archive.
 */
public record ImageParts(byte[] manifest, byte[] config, byte[] layer, Digest configDigest, Digest layerDigest) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ImageParts of(Fixtures fixtures) {
        try {
            JsonNode index = JSON.readTree(fixtures.layout.resolve("index.json").toFile());
            for (JsonNode d : index.get("manifests")) {
                if (Fixtures.AMD64.equals(d.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                    byte[] manifest = blob(fixtures.layout, Digest.parse(d.get("digest").asText()));
                    JsonNode m = JSON.readTree(manifest);
                    Digest config = Digest.parse(m.at("/config/digest").asText());
                    Digest layer = Digest.parse(m.at("/layers/0/digest").asText());
                    return new ImageParts(manifest, blob(fixtures.layout, config), blob(fixtures.layout, layer), config,
                            layer);
                }
            }
            throw new AssertionError("no amd64 image in the layout");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] blob(Path layout, Digest digest) throws IOException {
        return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.hex()));
    }

    /** An index.json pointing at {@code manifest}, named {@code name} (a full reference). */
    public static String indexFor(byte[] manifest, String name) {
        return "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + Digests.sha256(manifest) + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + name + "\"}}]}";
    }

    public static String blobName(Digest digest) {
        return "blobs/sha256/" + digest.hex();
    }

    public static String blobName(byte[] content) {
        return blobName(Digests.sha256(content));
    }

    /** An OCI archive of these parts with {@code manifest} as the image (tampered or not). */
    public TarBuilder archive(byte[] manifest) {
        return new TarBuilder()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", indexFor(manifest, "example.com/hostile:1"))
                .file(blobName(manifest), manifest)
                .file(blobName(configDigest), config)
                .file(blobName(layerDigest), layer);
    }

    public String manifestText() {
        return new String(manifest, StandardCharsets.UTF_8);
    }
}
