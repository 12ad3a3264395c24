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

    static void write(Path dir, String hostname, String network) {
        AtomicFiles.write(dir.resolve("hostname"), (hostname + "\n").getBytes(StandardCharsets.UTF_8));
        String hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "127.0.1.1\t" + hostname + "\n";
        AtomicFiles.write(dir.resolve("hosts"), hosts.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("resolv.conf"), resolvConf(network).getBytes(StandardCharsets.UTF_8));
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
