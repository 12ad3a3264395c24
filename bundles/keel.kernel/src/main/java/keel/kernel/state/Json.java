package keel.kernel.state;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.runtime.RuntimeSpec;

/** The one JSON mapping of the kernel's records: ISO-8601 times, no nulls, unknown fields tolerated. */
public final class Json {
    /** The mapping without {@link SpecSerializer}: what that serializer writes a spec with, once. */
    private static final ObjectMapper PLAIN = builder().build();

    public static final ObjectMapper MAPPER = builder()
            .addModule(new SimpleModule("keel-spec-once").addSerializer(RuntimeSpec.class, new SpecSerializer()))
            .build();

    private static JsonMapper.Builder builder() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .serializationInclusion(JsonInclude.Include.NON_NULL);
    }

    /**
     * A container's OCI spec, serialized once per spec object: its record is written at create, at
     * start, at the end..., and the spec, 7 of a record's 7.4 KB here (the seccomp profile most of
     * it), is the same object in each (records are immutable and share it). The JSON of the last 64
     * specs is kept, by identity; a changed spec is a new object and written anew.
     */
    private static final class SpecSerializer extends StdSerializer<RuntimeSpec> {
        private static final int KEPT = 64;
        private final Map<IdentityKey, String> written = new LinkedHashMap<>(KEPT * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<IdentityKey, String> eldest) {
                return size() > KEPT;
            }
        };

        SpecSerializer() {
            super(RuntimeSpec.class);
        }

        @Override
        public void serialize(RuntimeSpec spec, JsonGenerator gen, SerializerProvider provider) throws IOException {
            IdentityKey key = new IdentityKey(spec);
            String json;
            synchronized (written) {
                json = written.get(key);
            }
            if (json == null) {
                json = PLAIN.writeValueAsString(spec);
                synchronized (written) {
                    written.put(key, json);
                }
            }
            gen.writeRawValue(json);
        }
    }

    /** A key that is equal only to a key of the same object. */
    private record IdentityKey(Object value) {
        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey k && k.value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }
    }

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value); // compact, as Docker's config.v2.json: jq shows it indented
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(byte[] json, JavaType type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "corrupt state in " + what + ": " + e.getMessage(), e);
        }
    }
}
