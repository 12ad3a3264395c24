package keel.api.image;

import java.util.List;

/**
 * An image an image driver brought into the content store.
 *
 * @param names the references it carried (may be empty for an untagged image)
 * @param manifest the descriptor of its manifest (for the platform chosen)
 */
public record LoadedImage(List<ImageReference> names, Descriptor manifest) {
    public LoadedImage {
        names = List.copyOf(names);
    }
}
