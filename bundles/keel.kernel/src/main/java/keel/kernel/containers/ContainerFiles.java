package keel.kernel.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import keel.kernel.state.AtomicFiles;

/** The files Keel writes for a container and binds into it: /etc/hostname, /etc/hosts, /etc/resolv.conf. */
final class ContainerFiles {
    private ContainerFiles() {
    }

    /**
     * Writes the three files. They are derived from the container's record (its hostname and
     * network) and the host's resolv.conf, so they are not fsynced: {@link #restoreIfLost} makes
     * them again at start if a machine crash lost them.
     */
    static void write(Path dir, String hostname, String network) {
        AtomicFiles.writeDerived(dir.resolve("hostname"), (hostname + "\n").getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writeDerived(dir.resolve("hosts"), baseHosts(hostname).getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writeDerived(dir.resolve("resolv.conf"), resolvConf(network).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the files again if one is missing, or empty where it cannot be (after a machine crash). */
    static void restoreIfLost(Path dir, String hostname, String network) {
        if (isEmpty(dir.resolve("hostname")) || isEmpty(dir.resolve("hosts")) || !Files.exists(dir.resolve("resolv.conf"))) {
            write(dir, hostname, network);
        }
    }

    private static boolean isEmpty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            return true; // missing
        }
    }

    private static String baseHosts(String hostname) {
        return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname + "\n";
    }

    /** The host's resolv.conf; in its own network namespace a container cannot reach loopback resolvers. */
    static String resolvConf(String network) {
        List<String> lines = new ArrayList<>();
        try {
            lines.addAll(Files.readAllLines(Path.of("/etc/resolv.conf")));
        } catch (IOException e) {
            // no resolver configured on the host
        }
        boolean ownNamespace = !"host".equals(network);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            String t = line.trim();
            if (ownNamespace && t.startsWith("nameserver") && (t.contains(" 127.") || t.endsWith(" ::1"))) {
                continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
