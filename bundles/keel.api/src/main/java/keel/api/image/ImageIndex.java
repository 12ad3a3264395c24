package keel.api.image;

import java.util.List;
import java.util.Map;

/** An image index (OCI) or manifest list (Docker): one manifest per platform. */
public record ImageIndex(int schemaVersion, String mediaType, List<Descriptor> manifests,
        Map<String, String> annotations) {
    public ImageIndex {
        manifests = List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
