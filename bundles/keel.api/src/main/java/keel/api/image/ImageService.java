package keel.api.image;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's images: references to manifests in the content store. An image is named by a
 * reference ({@code busybox}, {@code busybox:1.36}, {@code name@sha256:...}) or an id prefix.
 */
@ProviderType
public interface ImageService {

    List<ImageInfo> list();

    ImageInfo inspect(String image);

    /** Gives {@code source}'s image the name {@code target} (moving the name if another image had it). */
    ImageInfo tag(String source, String target);

    /**
     * Removes a name, and the image when no name is left; refused (conflict) while a container uses
     * it, unless {@code force}. Returns what was untagged and deleted, as docker rmi prints it.
     */
    List<String> remove(String image, boolean force);

    /** Makes a one-layer image named {@code name} from a root filesystem tar (optionally gzipped). */
    ImageInfo importRootfs(Path tar, String name);

    /** Loads every image of an OCI layout, OCI archive or docker archive (detected from content). */
    List<ImageInfo> load(Path source, Platform platform);

    /** Writes the images to {@code out} as an {@code oci-archive} or {@code docker-archive}. */
    void save(List<String> images, String format, OutputStream out);

    /** Pulls from a registry; blobs already present are not fetched again. */
    ImageInfo pull(String reference, Platform platform, RegistryAuth auth, PullProgress progress);
}
