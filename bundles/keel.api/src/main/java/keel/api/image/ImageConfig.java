package keel.api.image;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image configuration (OCI image config), the parts that decide how a container runs.
 *
 * @param architecture e.g. amd64
 * @param os e.g. linux
 * @param created when the image was made, or null
 * @param config the runtime defaults
 * @param diffIds the sha256 of each uncompressed layer, in order ({@code rootfs.diff_ids})
 * @param history one entry per build step
 */
public record ImageConfig(String architecture, String os, Instant created, RunConfig config, List<Digest> diffIds,
        List<History> history) {
    public ImageConfig {
        diffIds = List.copyOf(diffIds);
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** The {@code config} object: what {@code keel run IMAGE} applies unless overridden. */
    public record RunConfig(String user, Set<String> exposedPorts, List<String> env, List<String> entrypoint,
            List<String> cmd, Set<String> volumes, String workingDir, Map<String, String> labels,
            String stopSignal) {
        public RunConfig {
            exposedPorts = exposedPorts == null ? Set.of() : Set.copyOf(exposedPorts);
            env = env == null ? List.of() : List.copyOf(env);
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            volumes = volumes == null ? Set.of() : Set.copyOf(volumes);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /** One {@code history} entry. */
    public record History(Instant created, String createdBy, String comment, boolean emptyLayer) {
    }
}
