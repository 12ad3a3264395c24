package keel.kernel.images;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.image.ImageConfig.RunConfig;
import keel.kernel.state.Json;

/**
 * The configuration a committed image gets, as {@code docker commit} makes it: the container's own
 * (what it ran with: its image's defaults with the container's overrides), then the {@code -c}
 * instructions, each as in a Dockerfile.
 */
public final class CommitConfig {
    public static final List<String> INSTRUCTIONS = List.of("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "USER",
            "WORKDIR");

    private CommitConfig() {
    }

    /** The container's configuration over its image's. */
    public static RunConfig of(ContainerConfig c, RunConfig image) {
        RunConfig base = image != null ? image : new RunConfig(null, null, null, null, null, null, null, null, null);
        List<String> entrypoint = c.entrypoint() != null ? c.entrypoint() : base.entrypoint();
        List<String> cmd = c.cmd() != null && !c.cmd().isEmpty() ? c.cmd()
                : c.entrypoint() != null ? List.of() : base.cmd();
        Map<String, String> labels = new LinkedHashMap<>(base.labels());
        labels.putAll(c.labels());
        return new RunConfig(c.user() != null ? c.user() : base.user(), base.exposedPorts(),
                mergeEnv(base.env(), c.env()), entrypoint, cmd, base.volumes(),
                c.workingDir() != null ? c.workingDir() : base.workingDir(), labels,
                c.stopSignal() != null ? c.stopSignal() : base.stopSignal());
    }

    /** Applies {@code -c} instructions; an unknown or malformed one is an invalid argument naming it. */
    public static RunConfig apply(RunConfig config, List<String> instructions) {
        RunConfig r = config;
        for (String instruction : instructions) {
            String trimmed = instruction.trim();
            int space = trimmed.indexOf(' ');
            String keyword = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
            String rest = space < 0 ? "" : trimmed.substring(space + 1).trim();
            if (!INSTRUCTIONS.contains(keyword)) {
                throw KeelException.invalid("-c '%s': keel commit applies %s", instruction,
                        String.join(", ", INSTRUCTIONS));
            }
            if (rest.isEmpty()) {
                throw KeelException.invalid("-c '%s': %s needs an argument", instruction, keyword);
            }
            r = switch (keyword) {
                case "CMD" -> new RunConfig(r.user(), r.exposedPorts(), r.env(), r.entrypoint(), command(rest, instruction),
                        r.volumes(), r.workingDir(), r.labels(), r.stopSignal());
                case "ENTRYPOINT" -> new RunConfig(r.user(), r.exposedPorts(), r.env(), command(rest, instruction),
                        r.cmd(), r.volumes(), r.workingDir(), r.labels(), r.stopSignal());
                case "ENV" -> new RunConfig(r.user(), r.exposedPorts(), mergeEnv(r.env(), pairs(rest, instruction)
                        .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()), r.entrypoint(),
                        r.cmd(), r.volumes(), r.workingDir(), r.labels(), r.stopSignal());
                case "LABEL" -> {
                    Map<String, String> labels = new LinkedHashMap<>(r.labels());
                    labels.putAll(pairs(rest, instruction));
                    yield new RunConfig(r.user(), r.exposedPorts(), r.env(), r.entrypoint(), r.cmd(), r.volumes(),
                            r.workingDir(), labels, r.stopSignal());
                }
                case "EXPOSE" -> {
                    Set<String> ports = new LinkedHashSet<>(r.exposedPorts());
                    for (String port : rest.split("\\s+")) {
                        if (!port.matches("[0-9]{1,5}(/(tcp|udp|sctp))?")) {
                            throw KeelException.invalid("-c '%s': '%s' is not a port (80, 80/tcp, 53/udp)",
                                    instruction, port);
                        }
                        ports.add(port.contains("/") ? port : port + "/tcp");
                    }
                    yield new RunConfig(r.user(), ports, r.env(), r.entrypoint(), r.cmd(), r.volumes(), r.workingDir(),
                            r.labels(), r.stopSignal());
                }
                case "USER" -> new RunConfig(rest, r.exposedPorts(), r.env(), r.entrypoint(), r.cmd(), r.volumes(),
                        r.workingDir(), r.labels(), r.stopSignal());
                default -> {
                    if (!rest.startsWith("/")) {
                        throw KeelException.invalid("-c '%s': WORKDIR must be an absolute path", instruction);
                    }
                    yield new RunConfig(r.user(), r.exposedPorts(), r.env(), r.entrypoint(), r.cmd(), r.volumes(), rest,
                            r.labels(), r.stopSignal());
                }
            };
        }
        return r;
    }

    /** The exec form {@code ["a","b"]}, or the shell form run by {@code /bin/sh -c}. */
    private static List<String> command(String rest, String instruction) {
        if (!rest.startsWith("[")) {
            return List.of("/bin/sh", "-c", rest);
        }
        try {
            JsonNode array = Json.MAPPER.readTree(rest);
            List<String> args = new ArrayList<>();
            for (JsonNode n : array) {
                if (!n.isTextual()) {
                    throw KeelException.invalid("-c '%s': the exec form is a JSON array of strings", instruction);
                }
                args.add(n.asText());
            }
            return args;
        } catch (JsonProcessingException e) {
            throw KeelException.invalid("-c '%s': the exec form is a JSON array of strings (%s)", instruction,
                    e.getOriginalMessage());
        }
    }

    /** {@code K=V K2=V2}, or the old form {@code K V}. */
    private static Map<String, String> pairs(String rest, String instruction) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (!rest.contains("=")) {
            String[] kv = rest.split("\\s+", 2);
            if (kv.length < 2) {
                throw KeelException.invalid("-c '%s': give KEY=VALUE", instruction);
            }
            pairs.put(kv[0], kv[1]);
            return pairs;
        }
        for (String pair : rest.split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw KeelException.invalid("-c '%s': '%s' is not KEY=VALUE", instruction, pair);
            }
            pairs.put(pair.substring(0, eq), unquote(pair.substring(eq + 1)));
        }
        return pairs;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static List<String> mergeEnv(List<String> base, List<String> added) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String e : base) {
            byName.put(e.contains("=") ? e.substring(0, e.indexOf('=')) : e, e);
        }
        for (String e : added) {
            byName.put(e.contains("=") ? e.substring(0, e.indexOf('=')) : e, e);
        }
        return List.copyOf(byName.values());
    }
}
