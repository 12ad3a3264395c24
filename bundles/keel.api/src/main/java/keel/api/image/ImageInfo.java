package keel.api.image;

import java.time.Instant;
import java.util.List;

/**
 * An image as {@code keel images} and {@code keel inspect IMAGE} show it.
 *
 * @param id the config digest (docker's image id)
 * @param names its references, e.g. docker.io/library/busybox:latest
 * @param manifest the manifest's descriptor (its digest is the repo digest)
 * @param created when it was built, or null
 * @param size the layers' compressed bytes
 * @param platform os/architecture
 * @param config its configuration (run defaults, diff ids, history)
 * @param layers the layer descriptors, in order
 */
public record ImageInfo(Digest id, List<String> names, Descriptor manifest, Instant created, long size,
        Platform platform, ImageConfig config, List<Descriptor> layers) {
    public ImageInfo {
        names = List.copyOf(names);
        layers = List.copyOf(layers);
    }

    /** The first 12 hex digits of the id, as docker shows it. */
    public String shortId() {
        return id.hex().substring(0, 12);
    }
}
