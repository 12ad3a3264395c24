package keel.api.runtime;

import java.util.List;

/** Capability sets by name, e.g. {@code CAP_CHOWN} (OCI {@code process.capabilities}). */
public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
        List<String> permitted, List<String> ambient) {
    public Capabilities {
        bounding = List.copyOf(bounding);
        effective = List.copyOf(effective);
        inheritable = List.copyOf(inheritable);
        permitted = List.copyOf(permitted);
        ambient = List.copyOf(ambient);
    }
}
