package keel.network.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Runs one CNI plugin executable as the spec's "protocol" says: the parameters in the environment
 * (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH), the configuration on stdin, the
 * result or an error object on stdout. The child gets a clean environment (those, PATH for the
 * iptables the plugins call) and no descriptor of the daemon but 0-2 (the JDK closes every other
 * one between fork and exec), its stdio are files (no pipe can fill and stall it), and it is
 * killed, with anything it started, after the timeout.
 */
final class PluginRunner {
    /** The plugins run iptables, ip6tables and sysctl-like helpers from the system's directories. */
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** A result or error is a few KiB; more is not a plugin speaking CNI. */
    private static final long MAX_OUTPUT = 1 << 20;

    /** One invocation's parameters (the spec's environment). */
    record Call(String command, String containerId, String netns, String ifName, String network) {
        String describe() {
            return command + " of container " + containerId + " on network " + network;
        }
    }

    private final List<Path> pluginDirs;
    private final Duration timeout;
    private final Path scratch;

    PluginRunner(List<Path> pluginDirs, Duration timeout, Path scratch) {
        this.pluginDirs = List.copyOf(pluginDirs);
        this.timeout = timeout;
        this.scratch = scratch;
    }

    List<Path> pluginDirs() {
        return pluginDirs;
    }

    /** The executable for {@code type} in CNI_PATH, or a not-found error naming the directories searched. */
    Path find(String type) {
        Names.checkPluginType(type);
        for (Path dir : pluginDirs) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw KeelException.notFound("CNI plugin %s is not in %s: install Debian's containernetworking-plugins or set "
                + "%s", type, cniPath(), CniSettings.PATH);
    }

    /**
     * Runs plugin {@code type} with {@code input} on stdin; returns what it printed as JSON (null
     * when it printed nothing, as DEL and CHECK may), or throws the plugin's error as a
     * {@link KeelException} naming the plugin, the operation and the plugin's message.
     */
    JsonNode run(String type, Call call, ObjectNode input) {
        Path executable = find(type);
        String operation = call.describe();
        Path stdin = null;
        Path stdout = null;
        Path stderr = null;
        try {
            Files.createDirectories(scratch);
            stdin = Files.createTempFile(scratch, "in", ".json");
            stdout = Files.createTempFile(scratch, "out", ".json");
            stderr = Files.createTempFile(scratch, "err", ".txt");
            Files.writeString(stdin, Json.text(input));
            ProcessBuilder builder = new ProcessBuilder(executable.toString()).directory(Path.of("/").toFile())
                    .redirectInput(stdin.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", PATH);
            env.put("CNI_COMMAND", call.command());
            env.put("CNI_CONTAINERID", call.containerId());
            env.put("CNI_NETNS", call.netns());
            env.put("CNI_IFNAME", call.ifName());
            env.put("CNI_PATH", cniPath());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw KeelException.unavailable("CNI plugin %s did not finish %s within %d ms and was killed: %s",
                        type, operation, timeout.toMillis(), tail(stderr));
            }
            JsonNode output = read(stdout, type, operation);
            if (process.exitValue() == 0) {
                return output;
            }
            CniError error = CniError.parse(output);
            if (error != null) {
                throw error.toException(type, operation);
            }
            throw new KeelException(ErrorKind.INTERNAL, "CNI plugin " + type + " failed " + operation + " (exit status "
                    + process.exitValue() + ") without a CNI error: " + tail(stderr));
        } catch (IOException e) {
            throw KeelException.internal("cannot run CNI plugin " + executable + " for " + operation + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while CNI plugin %s ran %s", type, operation);
        } finally {
            delete(stdin);
            delete(stdout);
            delete(stderr);
        }
    }

    /** CNI_PATH: the plugin directories, ':'-separated. */
    String cniPath() {
        return pluginDirs.stream().map(Path::toString).collect(Collectors.joining(":"));
    }

    private static JsonNode read(Path stdout, String type, String operation) throws IOException {
        long size = Files.size(stdout);
        if (size == 0) {
            return null;
        }
        if (size > MAX_OUTPUT) {
            throw new KeelException(ErrorKind.INTERNAL, "CNI plugin " + type + " printed " + size + " bytes for "
                    + operation + ": more than a CNI result");
        }
        String text = Files.readString(stdout, StandardCharsets.UTF_8);
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "CNI plugin " + type + " printed no JSON for " + operation + ": "
                    + abbreviate(text));
        }
    }

    private static String tail(Path stderr) {
        try {
            String text = Files.readString(stderr, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(nothing on stderr)" : abbreviate(text);
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 2000 ? text : "..." + text.substring(text.length() - 2000);
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover in the scratch directory is removed at the next start
            }
        }
    }
}
