package keel.network.cni;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;

/**
 * A network configuration list (CNI spec 1.0, "Network configuration lists"): the network's name,
 * the spec version and the plugins run in order for ADD and CHECK, in reverse for DEL.
 *
 * @param name the network's name ({@code name})
 * @param cniVersion the spec version the plugins are asked to speak
 * @param plugins each plugin's configuration, as written (type, capabilities, its own keys)
 * @param source where it came from: a file, {@code generated} or {@code built-in}
 */
record ConfList(String name, String cniVersion, List<ObjectNode> plugins, String source) {

    ConfList {
        plugins = List.copyOf(plugins);
    }

    /** Parses a {@code .conflist} text, or a single plugin's {@code .conf} when {@code single}. */
    static ConfList parse(String text, String source, boolean single) {
        ObjectNode root = Json.object(text, "network configuration " + source);
        String name = Json.string(root, "name");
        String version = Json.string(root, "cniVersion");
        if (name == null || version == null) {
            throw KeelException.invalid("network configuration %s lacks %s", source, name == null ? "its name" : "cniVersion");
        }
        Names.checkNetworkName(name);
        if (!version.matches("[0-9]+\\.[0-9]+\\.[0-9]+")) {
            throw KeelException.invalid("network configuration %s: cniVersion '%s' is not a version such as 1.0.0", source,
                    version);
        }
        List<ObjectNode> plugins = new ArrayList<>();
        if (single) {
            ObjectNode plugin = root.deepCopy();
            plugin.remove(List.of("name", "cniVersion"));
            plugins.add(plugin);
        } else if (root.get("plugins") instanceof ArrayNode array && !array.isEmpty()) {
            for (JsonNode plugin : array) {
                if (!(plugin instanceof ObjectNode object)) {
                    throw KeelException.invalid("network configuration %s: every entry of plugins must be an object", source);
                }
                plugins.add(object);
            }
        } else {
            throw KeelException.invalid("network configuration %s has no plugins: a .conflist needs a non-empty "
                    + "\"plugins\" array", source);
        }
        for (ObjectNode plugin : plugins) {
            Names.checkPluginType(Json.string(plugin, "type"));
        }
        return new ConfList(name, version, plugins, source);
    }

    /** The list as JSON (what an attachment keeps, so DEL runs the configuration ADD ran). */
    String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("cniVersion", cniVersion);
        root.put("name", name);
        ArrayNode array = root.putArray("plugins");
        plugins.forEach(array::add);
        return Json.text(root);
    }

    /**
     * The configuration plugin {@code index} receives on stdin: its own keys, the list's name and
     * version, the previous result, and runtimeConfig with what it declared in its capabilities.
     */
    ObjectNode pluginInput(int index, JsonNode prevResult, ObjectNode runtimeConfig) {
        ObjectNode input = plugins.get(index).deepCopy();
        input.put("cniVersion", cniVersion);
        input.put("name", name);
        input.remove("runtimeConfig");
        if (prevResult != null) {
            input.set("prevResult", prevResult);
        }
        JsonNode capabilities = input.get("capabilities");
        ObjectNode granted = Json.MAPPER.createObjectNode();
        runtimeConfig.fields().forEachRemaining(e -> {
            if (capabilities != null && capabilities.path(e.getKey()).asBoolean(false)) {
                granted.set(e.getKey(), e.getValue());
            }
        });
        if (!granted.isEmpty()) {
            input.set("runtimeConfig", granted);
        }
        return input;
    }

    String type(int index) {
        return Json.string(plugins.get(index), "type");
    }

    /** Whether spec version {@code cniVersion} has CHECK (0.4.0 and later). */
    boolean supportsCheck() {
        String[] v = cniVersion.split("\\.");
        int major = Integer.parseInt(v[0]);
        return major > 0 || Integer.parseInt(v[1]) >= 4;
    }

    /** The first plugin of {@code type}, if any. */
    java.util.Optional<ObjectNode> plugin(String type) {
        return plugins.stream().filter(p -> type.equals(Json.string(p, "type"))).findFirst();
    }

    /** The subnet of a host-local range of the first plugin that has one, or null. */
    String subnet() {
        for (ObjectNode plugin : plugins) {
            JsonNode range = plugin.path("ipam").path("ranges").path(0).path(0);
            if (range.has("subnet")) {
                return range.get("subnet").asText();
            }
            if (plugin.path("ipam").has("subnet")) {
                return plugin.path("ipam").get("subnet").asText();
            }
        }
        return null;
    }

    /** The gateway of that range, or null. */
    String gateway() {
        for (ObjectNode plugin : plugins) {
            JsonNode range = plugin.path("ipam").path("ranges").path(0).path(0);
            if (range.has("gateway")) {
                return range.get("gateway").asText();
            }
        }
        return null;
    }
}
