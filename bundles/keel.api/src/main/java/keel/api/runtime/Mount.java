package keel.api.runtime;

import java.util.List;

/**
 * A mount (OCI {@code mounts[]}); also what a snapshotter returns for a root filesystem, with an
 * empty destination meaning the root itself.
 *
 * @param destination absolute path inside the container
 * @param type filesystem type: {@code bind}, {@code overlay}, {@code tmpfs}, {@code proc}, ...
 * @param source device, directory or pseudo source
 * @param options mount options, e.g. {@code ro}, {@code nosuid}, {@code lowerdir=...}
 */
public record Mount(String destination, String type, String source, List<String> options) {
    public Mount {
        options = options == null ? List.of() : List.copyOf(options);
    }
}
