package keel.api.image;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's content-addressed blob store, handed to image drivers. A blob becomes visible only
 * after its size and digest are verified; concurrent writes of one digest do the work once.
 */
@ProviderType
public interface ContentStore {

    boolean contains(Digest digest);

    /** The blob's file, read-only, if present. */
    Optional<Path> path(Digest digest);

    /**
     * Stores {@code content} as the blob {@code expected} describes, verifying size and digest.
     *
     * @throws keel.api.KeelException invalid argument if the content does not match, naming both digests
     */
    Descriptor write(Descriptor expected, InputStream content);
}
