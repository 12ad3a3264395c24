package keel.api.image;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;

/** Reads and writes image archives and layouts (OCI layout, OCI archive, docker-archive). */
@ConsumerType
public interface ImageFormat extends Driver {

    /** The formats this driver handles, e.g. {@code oci-archive}, {@code docker-archive}, {@code oci-layout}. */
    Set<String> formats();

    /**
     * Reads every image in {@code source} into {@code store}, verifying each digest, for
     * {@code platform}. Nothing is referenced until everything is verified.
     */
    List<LoadedImage> load(Path source, Platform platform, ContentStore store);

    /** Writes the images (by manifest descriptor and names) from {@code store} in {@code format}. */
    void save(List<LoadedImage> images, String format, ContentStore store, OutputStream out);
}
