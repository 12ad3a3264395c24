package keel.api.runtime;

import java.util.List;
import java.util.Map;

/**
 * A container's configuration, shaped on the OCI runtime-spec's config.json (the parts Keel uses).
 * Optional parts are {@code null} where the OCI spec leaves them out.
 */
public record RuntimeSpec(String ociVersion, ProcessSpec process, Root root, String hostname, List<Mount> mounts,
        LinuxSpec linux, Map<String, String> annotations) {
    public static final String OCI_VERSION = "1.2.0";

    /** Annotation {@code keel.init=true}: PID 1 is a minimal init that forwards signals and reaps zombies. */
    public static final String ANNOTATION_INIT = "keel.init";

    public RuntimeSpec {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
