package keel.kernel.images;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageConfig;
import keel.api.image.Manifest;
import keel.api.image.Platform;
import keel.kernel.state.Json;

/** The OCI image-spec JSON documents (manifest, config) read into records and written back. */
final class OciJson {
    static final int MAX_DOCUMENT = 4 << 20;

    private OciJson() {
    }

    static Manifest manifest(byte[] json) {
        JsonNode n = tree(json, "manifest");
        List<Descriptor> layers = new ArrayList<>();
        n.path("layers").forEach(l -> layers.add(descriptor(l)));
        return new Manifest(n.path("schemaVersion").asInt(), n.path("mediaType").asText(null),
                descriptor(n.path("config")), layers, strings(n.path("annotations")));
    }

    static ImageConfig config(byte[] json) {
        JsonNode n = tree(json, "image config");
        JsonNode c = n.path("config");
        List<Digest> diffIds = new ArrayList<>();
        n.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(Digest.parse(d.asText())));
        List<ImageConfig.History> history = new ArrayList<>();
        n.path("history").forEach(h -> history.add(new ImageConfig.History(instant(h.path("created")),
                h.path("created_by").asText(null), h.path("comment").asText(null), h.path("empty_layer").asBoolean())));
        ImageConfig.RunConfig run = new ImageConfig.RunConfig(c.path("User").asText(null), keys(c.path("ExposedPorts")),
                list(c.path("Env")), nullableList(c.path("Entrypoint")), nullableList(c.path("Cmd")),
                keys(c.path("Volumes")), c.path("WorkingDir").asText(null), strings(c.path("Labels")),
                c.path("StopSignal").asText(null));
        return new ImageConfig(n.path("architecture").asText(null), n.path("os").asText(null),
                instant(n.path("created")), run, diffIds, history);
    }

    /** The config JSON of a one-layer image made by {@code keel import}. */
    static byte[] importConfig(Digest diffId, Instant created, String createdBy) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("created", created.toString());
        root.put("architecture", "amd64");
        root.put("os", "linux");
        ObjectNode config = root.putObject("config");
        config.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        config.putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId.toString());
        ArrayNode history = root.putArray("history");
        history.addObject().put("created", created.toString()).put("created_by", createdBy);
        return bytes(root);
    }

    /**
     * The config of an image committed on top of {@code parent} (its JSON, kept field for field):
     * {@code run} as its config, one more diff id and history entry.
     */
    static byte[] committedConfig(byte[] parent, ImageConfig.RunConfig run, Digest diffId, Instant created,
            String author, String createdBy, String comment) {
        ObjectNode root = (ObjectNode) tree(parent, "image config");
        root.put("created", created.toString());
        if (author != null) {
            root.put("author", author);
        }
        ObjectNode config = root.putObject("config");
        if (run.user() != null) {
            config.put("User", run.user());
        }
        if (!run.exposedPorts().isEmpty()) {
            ObjectNode ports = config.putObject("ExposedPorts");
            run.exposedPorts().stream().sorted().forEach(p -> ports.putObject(p));
        }
        run.env().forEach(config.putArray("Env")::add);
        if (!run.entrypoint().isEmpty()) {
            run.entrypoint().forEach(config.putArray("Entrypoint")::add);
        }
        if (!run.cmd().isEmpty()) {
            run.cmd().forEach(config.putArray("Cmd")::add);
        }
        if (!run.volumes().isEmpty()) {
            ObjectNode volumes = config.putObject("Volumes");
            run.volumes().stream().sorted().forEach(v -> volumes.putObject(v));
        }
        if (run.workingDir() != null) {
            config.put("WorkingDir", run.workingDir());
        }
        if (!run.labels().isEmpty()) {
            ObjectNode labels = config.putObject("Labels");
            new java.util.TreeMap<>(run.labels()).forEach(labels::put);
        }
        if (run.stopSignal() != null) {
            config.put("StopSignal", run.stopSignal());
        }
        ObjectNode rootfs = root.has("rootfs") && root.get("rootfs").isObject() ? (ObjectNode) root.get("rootfs")
                : root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.has("diff_ids") && rootfs.get("diff_ids").isArray()
                ? (ArrayNode) rootfs.get("diff_ids") : rootfs.putArray("diff_ids");
        diffIds.add(diffId.toString());
        ArrayNode history = root.has("history") && root.get("history").isArray() ? (ArrayNode) root.get("history")
                : root.putArray("history");
        ObjectNode entry = history.addObject();
        entry.put("created", created.toString());
        if (author != null) {
            entry.put("author", author);
        }
        entry.put("created_by", createdBy);
        if (comment != null) {
            entry.put("comment", comment);
        }
        return bytes(root);
    }

    /** An OCI manifest for a config and layers. */
    static byte[] manifestJson(Descriptor config, List<Descriptor> layers) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", keel.api.image.MediaTypes.OCI_MANIFEST);
        put(root.putObject("config"), config);
        ArrayNode array = root.putArray("layers");
        layers.forEach(l -> put(array.addObject(), l));
        return bytes(root);
    }

    private static void put(ObjectNode node, Descriptor d) {
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
    }

    private static byte[] bytes(ObjectNode root) {
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw KeelException.internal("cannot encode image JSON", e);
        }
    }

    static Descriptor descriptor(JsonNode n) {
        if (!n.has("digest")) {
            throw KeelException.invalid("image JSON: a descriptor without a digest");
        }
        JsonNode p = n.path("platform");
        Platform platform = p.isMissingNode() ? null
                : new Platform(p.path("os").asText(), p.path("architecture").asText(), p.path("variant").asText(null));
        return new Descriptor(n.path("mediaType").asText(null), Digest.parse(n.path("digest").asText()),
                n.path("size").asLong(-1), strings(n.path("annotations")), platform);
    }

    private static JsonNode tree(byte[] json, String what) {
        if (json.length > MAX_DOCUMENT) {
            throw KeelException.invalid("%s larger than %d bytes", what, MAX_DOCUMENT);
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw KeelException.invalid("invalid %s JSON: %s", what, e.getMessage());
        }
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> map = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> keys = new TreeSet<>();
        n.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static List<String> list(JsonNode n) {
        List<String> list = new ArrayList<>();
        n.forEach(e -> list.add(e.asText()));
        return list;
    }

    private static List<String> nullableList(JsonNode n) {
        return n.isArray() ? list(n) : null;
    }

    private static Instant instant(JsonNode n) {
        try {
            return n.isTextual() ? java.time.OffsetDateTime.parse(n.asText()).toInstant() : null;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
