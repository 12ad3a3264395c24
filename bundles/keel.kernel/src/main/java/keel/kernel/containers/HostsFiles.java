package keel.kernel.containers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import keel.api.KeelException;

/**
 * Name resolution on user-defined networks through each container's /etc/hosts (Docker answers
 * from an embedded DNS server; a hosts file needs no server and no resolver configuration).
 * {@link #content} is what one container's file holds; {@link #write} replaces it in place.
 */
final class HostsFiles {
    /** One address of a container on one network, with the names it answers to there. */
    record Endpoint(String network, String ip, List<String> names) {
        Endpoint {
            names = List.copyOf(names);
        }
    }

    /** A container as name resolution sees it: its hostname and its endpoints, first network first. */
    record Member(String containerId, String hostname, List<Endpoint> endpoints) {
        Member {
            endpoints = List.copyOf(endpoints);
        }

        boolean on(String network) {
            return endpoints.stream().anyMatch(e -> e.network().equals(network));
        }
    }

    private HostsFiles() {
    }

    /**
     * The /etc/hosts of {@code self}: localhost, its own first address as its hostname, then for
     * every network in {@code resolving} it is on, each member's address there with its names
     * (its own too).
     */
    static String content(Member self, List<Member> members, Set<String> resolving) {
        StringBuilder out = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (!self.endpoints().isEmpty()) {
            out.append(self.endpoints().get(0).ip()).append('\t').append(self.hostname()).append('\n');
        }
        for (Endpoint own : self.endpoints()) {
            if (!resolving.contains(own.network())) {
                continue;
            }
            for (Member m : members) {
                for (Endpoint e : m.endpoints()) {
                    if (e.network().equals(own.network()) && !e.names().isEmpty()) {
                        Set<String> names = new LinkedHashSet<>(e.names());
                        out.append(e.ip()).append('\t').append(String.join(" ", names)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * Writes {@code content} into {@code file} in place, not by rename: a running container has the
     * file bind-mounted, so a renamed-over file would never reach it (Docker and Podman also write in
     * place). The file never gets shorter (a shorter content is padded with newlines), so a reader
     * sees the old or the new lines, never an empty file or a cut line. Unchanged content is not
     * written.
     */
    static void write(Path file, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            int size = (int) Math.min(channel.size(), 1 << 20);
            ByteBuffer old = ByteBuffer.allocate(size);
            while (old.hasRemaining() && channel.read(old, old.position()) > 0) {
                // read it all
            }
            if (new String(old.array(), StandardCharsets.UTF_8).stripTrailing().equals(content.stripTrailing())) {
                return;
            }
            byte[] padded = bytes.length >= size ? bytes : Arrays.copyOf(bytes, size);
            Arrays.fill(padded, bytes.length, padded.length, (byte) '\n');
            ByteBuffer buffer = ByteBuffer.wrap(padded);
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
        } catch (IOException e) {
            throw KeelException.internal("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
