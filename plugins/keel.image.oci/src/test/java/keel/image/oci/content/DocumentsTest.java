package keel.image.oci.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.Manifest;
import keel.api.image.MediaTypes;

class DocumentsTest {
    private static final String D = "sha256:" + "a".repeat(64);
    private static final Limits LIMITS = Limits.DEFAULT;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String refused(Runnable r) {
        return assertThrows(KeelException.class, r::run).getMessage();
    }

    private static String manifest(String layerType, String size) {
        return "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + D
                + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + layerType + "\",\"digest\":\"" + D + "\",\"size\":"
                + size + "}]}";
    }

    @Test
    void aManifestRoundTripsThroughItsBytes() {
        Descriptor config = new Descriptor(MediaTypes.DOCKER_CONFIG, Digest.parse(D), 2, null, null);
        Descriptor layer = new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, Digest.parse(D), 7, null, null);
        Manifest m = new Manifest(2, MediaTypes.DOCKER_MANIFEST, config, List.of(layer), null);
        byte[] bytes = Documents.manifestBytes(m);
        assertEquals(m, Documents.manifest(bytes, MediaTypes.DOCKER_MANIFEST, "m", LIMITS));
        assertTrue(new String(bytes, StandardCharsets.UTF_8).startsWith("{\"schemaVersion\":2,\"mediaType\":"));
    }

    @Test
    void fieldsAreChecked() {
        assertTrue(refused(() -> Documents.manifest(b(manifest(MediaTypes.OCI_LAYER_GZIP, "-1")), null, "m", LIMITS))
                .contains("no valid size"));
        assertTrue(refused(() -> Documents.manifest(b(manifest(MediaTypes.OCI_LAYER_GZIP, "1.5")), null, "m", LIMITS))
                .contains("no valid size"));
        assertTrue(refused(() -> Documents.manifest(b(manifest(MediaTypes.OCI_LAYER_GZIP, "\"7\"")), null, "m",
                LIMITS)).contains("no valid size"));
        assertTrue(refused(() -> Documents.manifest(b(manifest("application/x-helm", "7")), null, "m", LIMITS))
                .contains("not a layer Keel can unpack"));
        assertTrue(refused(() -> Documents.manifest(b(manifest(MediaTypes.OCI_LAYER_GZIP, "7").replace(D,
                "sha256:../../etc")), null, "m", LIMITS)).contains("invalid digest"));
        assertTrue(refused(() -> Documents.index(b("{\"schemaVersion\":1,\"manifests\":[]}"), null, "i", LIMITS))
                .contains("schemaVersion 1"));
        assertTrue(refused(() -> Documents.index(b("{\"schemaVersion\":2,\"mediaType\":\""
                + "application/vnd.docker.distribution.manifest.v1+prettyjws\"}"), null, "i", LIMITS))
                .contains("schema 1"));
    }

    @Test
    void limitsOnListsAndNesting() {
        Limits small = new Limits(1 << 20, 10, 2, 4, 0);
        String three = "{\"schemaVersion\":2,\"manifests\":[" + String.join(",", List.of(
                "{\"mediaType\":\"m\",\"digest\":\"" + D + "\",\"size\":1}",
                "{\"mediaType\":\"m\",\"digest\":\"" + D + "\",\"size\":1}",
                "{\"mediaType\":\"m\",\"digest\":\"" + D + "\",\"size\":1}")) + "]}";
        assertTrue(refused(() -> Documents.index(b(three), null, "i", small)).contains("more than the limit of 2"));
        String deep = "[".repeat(100) + "]".repeat(100);
        assertTrue(refused(() -> Json.parseArray(b(deep), "deep")).contains("not valid JSON"));
    }

    @Test
    void theConfigGivesPlatformAndDiffIds() {
        Documents.ConfigFacts facts = Documents.config(b("{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D + "\"]}}"), "c", LIMITS);
        assertEquals("linux/arm/v7", facts.platform().toString());
        assertEquals(List.of(Digest.parse(D)), facts.diffIds());
        assertTrue(refused(() -> Documents.config(b("{\"os\":\"linux\",\"rootfs\":{}}"), "c", LIMITS))
                .contains("lacks 'os' or 'architecture'"));
    }
}
