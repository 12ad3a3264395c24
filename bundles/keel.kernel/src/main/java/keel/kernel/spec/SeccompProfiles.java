package keel.kernel.spec;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.KeelException;
import keel.api.runtime.Seccomp;
import keel.kernel.state.Json;

/** Reads a seccomp profile given with {@code --security-opt seccomp=FILE.json} (Docker's format). */
final class SeccompProfiles {
    private SeccompProfiles() {
    }

    static Seccomp parse(String json) {
        try {
            JsonNode root = Json.MAPPER.readTree(json);
            String defaultAction = text(root, "defaultAction");
            List<String> architectures = new ArrayList<>();
            root.path("architectures").forEach(a -> architectures.add(a.asText()));
            if (architectures.isEmpty()) {
                architectures.add("SCMP_ARCH_X86_64");
            }
            List<Seccomp.Syscall> syscalls = new ArrayList<>();
            for (JsonNode s : root.path("syscalls")) {
                List<String> names = new ArrayList<>();
                s.path("names").forEach(n -> names.add(n.asText()));
                if (s.has("name")) {
                    names.add(s.get("name").asText());
                }
                List<Seccomp.Arg> args = new ArrayList<>();
                for (JsonNode a : s.path("args")) {
                    args.add(new Seccomp.Arg(a.path("index").asInt(), a.path("value").asLong(),
                            a.path("valueTwo").asLong(), text(a, "op")));
                }
                Integer errno = s.has("errnoRet") ? s.get("errnoRet").asInt() : null;
                syscalls.add(new Seccomp.Syscall(names, text(s, "action"), errno, args));
            }
            return new Seccomp(defaultAction, architectures, syscalls);
        } catch (java.io.IOException e) {
            throw KeelException.invalid("invalid seccomp profile (--security-opt seccomp=...): %s", e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw KeelException.invalid("invalid seccomp profile (--security-opt seccomp=...): '%s' missing", field);
        }
        return value.asText();
    }
}
