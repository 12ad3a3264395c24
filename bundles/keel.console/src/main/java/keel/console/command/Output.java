package keel.console.command;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import keel.api.KeelException;

/** The {@code --format} choice of a command: a table for people, or JSON for programs. */
public final class Output {
    public static final Option FORMAT = Option.value("format", 'f', "FORMAT", "output format: table (default) or json");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .build();

    private Output() {
    }

    /** Whether {@code --format json} was asked for; an unknown format is an error naming it. */
    public static boolean json(Arguments args) {
        String format = args.value(FORMAT.name()).orElse("table");
        return switch (format) {
            case "json" -> true;
            case "table" -> false;
            default -> throw KeelException.invalid("unknown format '%s': use table or json", format);
        };
    }

    /** Prints {@code value} as indented JSON. */
    public static void printJson(Invocation io, Object value) throws IOException {
        io.out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    /** Prints {@code value} as one line of JSON (for streams such as events). */
    public static String jsonLine(Object value) throws IOException {
        return JSON.writeValueAsString(value);
    }

    public static List<Option> withFormat(Option... options) {
        List<Option> all = new java.util.ArrayList<>(List.of(options));
        all.add(FORMAT);
        return all;
    }
}
