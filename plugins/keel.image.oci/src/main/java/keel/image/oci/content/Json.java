package keel.image.oci.content;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import keel.api.KeelException;

/**
 * JSON for untrusted documents: a duplicated key is an error (two readers could see two different
 * documents, CVE-2021-41190's family), as is trailing content; nesting and token sizes are bounded.
 * Documents are read into memory only up to a limit the caller gives.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxStringLength(1 << 20)
                    .maxNumberLength(32)
                    .maxNameLength(1 << 16)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses {@code bytes} as one JSON object; {@code what} names the document in the error. */
    public static JsonNode parseObject(byte[] bytes, String what) {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw KeelException.invalid("%s is not valid JSON: %s", what, e.getOriginalMessage());
        } catch (IOException e) {
            throw KeelException.invalid("%s cannot be read as JSON: %s", what, e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw KeelException.invalid("%s is not a JSON object", what);
        }
        return node;
    }

    /** Parses {@code bytes} as one JSON array. */
    public static JsonNode parseArray(byte[] bytes, String what) {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw KeelException.invalid("%s is not valid JSON: %s", what, e.getOriginalMessage());
        } catch (IOException e) {
            throw KeelException.invalid("%s cannot be read as JSON: %s", what, e.getMessage());
        }
        if (node == null || !node.isArray()) {
            throw KeelException.invalid("%s is not a JSON array", what);
        }
        return node;
    }

    /** Compact bytes of {@code node}, fields in insertion order (so the same node gives the same bytes). */
    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw KeelException.internal("cannot write JSON", e);
        }
    }

    /**
     * Reads all of {@code in}, at most {@code limit} bytes; more is an invalid argument naming
     * {@code what} and the limit. Never allocates more than the limit plus one buffer.
     */
    public static byte[] readBounded(InputStream in, int limit, String what) throws IOException {
        byte[] buffer = new byte[Math.min(limit + 1, 64 << 10)];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > limit) {
                    throw tooLarge(what, limit);
                }
                buffer = Arrays.copyOf(buffer, Math.min(limit + 1, buffer.length * 2));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        if (length > limit) {
            throw tooLarge(what, limit);
        }
        return Arrays.copyOf(buffer, length);
    }

    public static KeelException tooLarge(String what, long limit) {
        return KeelException.invalid("%s is larger than the %d-byte limit for JSON documents", what, limit);
    }
}
