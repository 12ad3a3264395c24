package keel.api.image;

import java.util.Map;

/** An OCI content descriptor: what a blob is, its digest and size (and platform in an index). */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations,
        Platform platform) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
