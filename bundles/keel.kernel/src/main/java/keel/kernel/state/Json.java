package keel.kernel.state;

import java.io.IOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** The one JSON mapping of the kernel's records: ISO-8601 times, no nulls, unknown fields tolerated. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

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
