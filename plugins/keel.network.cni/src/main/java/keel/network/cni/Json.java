package keel.network.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;

/** The one JSON mapper of the driver: CNI configurations in, results out, both as trees. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Parses {@code text} as a JSON object; {@code what} names it in the error. */
    static ObjectNode object(String text, String what) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw KeelException.invalid("%s is not valid JSON: %s", what, e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw KeelException.invalid("%s is not a JSON object", what);
        }
        return object;
    }

    static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }

    /** The text of field {@code name}, or null when it is absent or not text. */
    static String string(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
