package keel.image.oci.content;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageIndex;
import keel.api.image.Manifest;
import keel.api.image.MediaTypes;
import keel.api.image.Platform;

/**
 * Reads and writes the OCI image-spec documents (index, manifest, config) and Docker's schema 2
 * equivalents, from untrusted bytes into the keel.api records. Every field is checked: a document
 * that is one kind must not also look like another (an index with {@code layers}, a manifest with
 * {@code manifests}), the {@code mediaType} inside must agree with the one outside, digests must
 * be valid, sizes non-negative integers.
 */
public final class Documents {
    /** Docker's uncompressed layer (not in keel.api's MediaTypes). */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String OCI_NONDISTRIBUTABLE_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_NONDISTRIBUTABLE_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_NONDISTRIBUTABLE_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    public static final String ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
    public static final String ANNOTATION_IMAGE_NAME = "io.containerd.image.name";

    private static final Set<String> LAYER_TYPES = Set.of(MediaTypes.OCI_LAYER_TAR, MediaTypes.OCI_LAYER_GZIP,
            MediaTypes.OCI_LAYER_ZSTD, MediaTypes.DOCKER_LAYER_GZIP, DOCKER_LAYER_TAR, DOCKER_FOREIGN_LAYER_GZIP,
            OCI_NONDISTRIBUTABLE_TAR, OCI_NONDISTRIBUTABLE_GZIP, OCI_NONDISTRIBUTABLE_ZSTD);
    private static final Set<String> CONFIG_TYPES = Set.of(MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG);
    private static final int MAX_ANNOTATIONS = 256;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Documents() {
    }

    public static boolean isIndex(String mediaType) {
        return MediaTypes.OCI_INDEX.equals(mediaType) || MediaTypes.DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return MediaTypes.OCI_MANIFEST.equals(mediaType) || MediaTypes.DOCKER_MANIFEST.equals(mediaType);
    }

    public static boolean isLayer(String mediaType) {
        return LAYER_TYPES.contains(mediaType);
    }

    /**
     * The media type of a manifest-like document: its own {@code mediaType} field, which must agree
     * with {@code declared} (the descriptor's or the Content-Type) when both are given; with neither,
     * the shape decides (OCI 1.0 documents may omit the field).
     */
    public static String mediaType(JsonNode root, String declared, String what) {
        String inside = optionalText(root, "mediaType", what);
        boolean looksIndex = root.has("manifests");
        boolean looksManifest = root.has("config") || root.has("layers");
        if (looksIndex && looksManifest) {
            throw KeelException.invalid("%s is ambiguous: it has both 'manifests' (an index) and 'config'/'layers' "
                    + "(a manifest)", what);
        }
        if (inside != null && declared != null && !inside.equals(declared)) {
            throw KeelException.invalid("%s says its mediaType is %s but was described as %s", what, inside, declared);
        }
        String type = inside != null ? inside : declared;
        if (type == null) {
            type = looksIndex ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (DOCKER_SCHEMA1.equals(type) || DOCKER_SCHEMA1_SIGNED.equals(type)) {
            throw KeelException.invalid("%s is a Docker schema 1 manifest, which is deprecated and not supported: "
                    + "push the image again with a current client", what);
        }
        if (isIndex(type) && looksManifest || isManifest(type) && looksIndex) {
            throw KeelException.invalid("%s has media type %s but the shape of the other kind", what, type);
        }
        if (!isIndex(type) && !isManifest(type)) {
            throw KeelException.invalid("%s has media type '%s', which is neither an image index nor an image "
                    + "manifest", what, type);
        }
        return type;
    }

    /** Parses an index (OCI) or manifest list (Docker). */
    public static ImageIndex index(byte[] json, String declaredType, String what, Limits limits) {
        JsonNode root = Json.parseObject(json, what);
        String type = mediaType(root, declaredType, what);
        if (!isIndex(type)) {
            throw KeelException.invalid("%s is a %s, not an image index", what, type);
        }
        schemaVersion(root, what);
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw KeelException.invalid("%s has no 'manifests' array", what);
        }
        if (manifests.size() > limits.maxDescriptors()) {
            throw KeelException.invalid("%s lists %d manifests, more than the limit of %d", what, manifests.size(),
                    limits.maxDescriptors());
        }
        List<Descriptor> descriptors = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            descriptors.add(descriptor(manifests.get(i), what + " manifests[" + i + "]"));
        }
        return new ImageIndex(2, type, descriptors, annotations(root.get("annotations"), what));
    }

    /** Parses an image manifest (OCI or Docker schema 2); config and layer media types must be known. */
    public static Manifest manifest(byte[] json, String declaredType, String what, Limits limits) {
        JsonNode root = Json.parseObject(json, what);
        String type = mediaType(root, declaredType, what);
        if (!isManifest(type)) {
            throw KeelException.invalid("%s is a %s, not an image manifest", what, type);
        }
        schemaVersion(root, what);
        Descriptor config = descriptor(root.get("config"), what + " config");
        if (!CONFIG_TYPES.contains(config.mediaType())) {
            throw KeelException.invalid("%s is not a container image: its config has media type '%s' (expected %s "
                    + "or %s)", what, config.mediaType(), MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG);
        }
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray()) {
            throw KeelException.invalid("%s has no 'layers' array", what);
        }
        if (layersNode.size() > limits.maxDescriptors()) {
            throw KeelException.invalid("%s has %d layers, more than the limit of %d", what, layersNode.size(),
                    limits.maxDescriptors());
        }
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            Descriptor layer = descriptor(layersNode.get(i), what + " layers[" + i + "]");
            if (!isLayer(layer.mediaType())) {
                throw KeelException.invalid("%s layers[%d] has media type '%s', which is not a layer Keel can unpack",
                        what, i, layer.mediaType());
            }
            layers.add(layer);
        }
        return new Manifest(2, type, config, layers, annotations(root.get("annotations"), what));
    }

    /** What Keel needs from an image config to select and check it: its platform and diff ids. */
    public record ConfigFacts(Platform platform, List<Digest> diffIds) {
    }

    /** Parses the parts of an image config that loading checks; the kernel reads the rest. */
    public static ConfigFacts config(byte[] json, String what, Limits limits) {
        JsonNode root = Json.parseObject(json, what);
        String os = optionalText(root, "os", what);
        String architecture = optionalText(root, "architecture", what);
        if (os == null || architecture == null) {
            throw KeelException.invalid("%s lacks 'os' or 'architecture'", what);
        }
        String variant = optionalText(root, "variant", what);
        JsonNode rootfs = root.get("rootfs");
        if (rootfs == null || !rootfs.isObject()) {
            throw KeelException.invalid("%s has no 'rootfs' object", what);
        }
        if (!"layers".equals(optionalText(rootfs, "type", what))) {
            throw KeelException.invalid("%s rootfs.type is not 'layers'", what);
        }
        JsonNode ids = rootfs.get("diff_ids");
        if (ids == null || !ids.isArray()) {
            throw KeelException.invalid("%s has no rootfs.diff_ids array", what);
        }
        if (ids.size() > limits.maxDescriptors()) {
            throw KeelException.invalid("%s has %d diff_ids, more than the limit of %d", what, ids.size(),
                    limits.maxDescriptors());
        }
        List<Digest> diffIds = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            diffIds.add(digest(ids.get(i), what + " rootfs.diff_ids[" + i + "]"));
        }
        return new ConfigFacts(new Platform(os, architecture, variant == null || variant.isEmpty() ? null : variant),
                diffIds);
    }

    /** Parses one descriptor: mediaType, digest and size required; annotations and platform optional. */
    public static Descriptor descriptor(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw KeelException.invalid("%s is not a descriptor object", what);
        }
        String mediaType = optionalText(node, "mediaType", what);
        if (mediaType == null || mediaType.isEmpty()) {
            throw KeelException.invalid("%s has no mediaType", what);
        }
        Digest digest = digest(node.get("digest"), what + " digest");
        JsonNode size = node.get("size");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw KeelException.invalid("%s has no valid size (a non-negative integer)", what);
        }
        Platform platform = null;
        JsonNode p = node.get("platform");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw KeelException.invalid("%s platform is not an object", what);
            }
            String os = optionalText(p, "os", what + " platform");
            String arch = optionalText(p, "architecture", what + " platform");
            if (os == null || arch == null) {
                throw KeelException.invalid("%s platform lacks os or architecture", what);
            }
            String variant = optionalText(p, "variant", what + " platform");
            platform = new Platform(os, arch, variant == null || variant.isEmpty() ? null : variant);
        }
        return new Descriptor(mediaType, digest, size.asLong(), annotations(node.get("annotations"), what), platform);
    }

    static Digest digest(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw KeelException.invalid("%s is missing or not a string", what);
        }
        try {
            return Digest.parse(node.asText());
        } catch (KeelException e) {
            throw KeelException.invalid("%s: %s", what, e.getMessage());
        }
    }

    private static void schemaVersion(JsonNode root, String what) {
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isIntegralNumber() || version.asInt() != 2) {
            throw KeelException.invalid("%s has schemaVersion %s; only 2 is supported", what, version);
        }
    }

    private static String optionalText(JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw KeelException.invalid("%s field '%s' is not a string", what, field);
        }
        return value.asText();
    }

    private static Map<String, String> annotations(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw KeelException.invalid("%s annotations is not an object", what);
        }
        if (node.size() > MAX_ANNOTATIONS) {
            throw KeelException.invalid("%s has %d annotations, more than %d", what, node.size(), MAX_ANNOTATIONS);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw KeelException.invalid("%s annotation '%s' is not a string", what, field.getKey());
            }
            annotations.put(field.getKey(), field.getValue().asText());
        }
        return annotations;
    }

    // ---- writing ------------------------------------------------------------------------------

    /** A descriptor as JSON, fields in the image-spec's order; annotations and platform only if present. */
    public static ObjectNode toJson(Descriptor d) {
        ObjectNode node = NODES.objectNode();
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
        if (!d.annotations().isEmpty()) {
            ObjectNode annotations = node.putObject("annotations");
            d.annotations().forEach(annotations::put);
        }
        if (d.platform() != null) {
            ObjectNode platform = node.putObject("platform");
            platform.put("architecture", d.platform().architecture());
            platform.put("os", d.platform().os());
            if (d.platform().variant() != null) {
                platform.put("variant", d.platform().variant());
            }
        }
        return node;
    }

    /** The bytes of a manifest document: schemaVersion, mediaType, config, layers (and annotations). */
    public static byte[] manifestBytes(Manifest manifest) {
        ObjectNode root = NODES.objectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", manifest.mediaType());
        root.set("config", toJson(manifest.config()));
        ArrayNode layers = root.putArray("layers");
        manifest.layers().forEach(layer -> layers.add(toJson(layer)));
        if (!manifest.annotations().isEmpty()) {
            ObjectNode annotations = root.putObject("annotations");
            manifest.annotations().forEach(annotations::put);
        }
        return Json.write(root);
    }

    /** The bytes of an index document. */
    public static byte[] indexBytes(ImageIndex index) {
        ObjectNode root = NODES.objectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", index.mediaType());
        ArrayNode manifests = root.putArray("manifests");
        index.manifests().forEach(d -> manifests.add(toJson(d)));
        if (!index.annotations().isEmpty()) {
            ObjectNode annotations = root.putObject("annotations");
            index.annotations().forEach(annotations::put);
        }
        return Json.write(root);
    }
}
