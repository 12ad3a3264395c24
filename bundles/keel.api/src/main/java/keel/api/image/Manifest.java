package keel.api.image;

import java.util.List;
import java.util.Map;

/** An image manifest (OCI image manifest or Docker schema 2): the config and the layers, in order. */
public record Manifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers,
        Map<String, String> annotations) {
    public Manifest {
        layers = List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
