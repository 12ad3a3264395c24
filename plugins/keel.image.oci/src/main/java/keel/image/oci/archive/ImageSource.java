package keel.image.oci.archive;

import java.io.Closeable;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;

/**
 * Where a load reads from: an OCI layout directory or a tar (OCI archive or docker-archive). A
 * source only ever hands blobs to the content store, which verifies them; what the loader parses
 * it reads back from the store.
 */
interface ImageSource extends Closeable {
    String OCI_LAYOUT = "oci-layout";
    String OCI_ARCHIVE = "oci-archive";
    String DOCKER_ARCHIVE = "docker-archive";

    /** {@link #OCI_LAYOUT}, {@link #OCI_ARCHIVE} or {@link #DOCKER_ARCHIVE}. */
    String format();

    /** For messages: e.g. {@code OCI archive /tmp/x.tar (gzip)}. */
    String label();

    /** A top-level document ({@code index.json}, {@code manifest.json}, ...), already size-bounded. */
    Optional<byte[]> metadata(String name);

    /** The size of the blob {@code digest} in the source, if it has it. */
    OptionalLong blobSize(Digest digest);

    /** A named file of a docker-archive (following links inside the archive). */
    Optional<FileEntry> file(String name);

    /**
     * Brings the blobs the store lacks into it, each with the given descriptor (the store checks
     * size and digest). A blob the source lacks, or whose size differs, is an error.
     */
    void fetch(Collection<Descriptor> blobs, ContentStore store);

    @Override
    void close();

    /** A file of the archive: its name, content digest (named or hashed), size and compression. */
    record FileEntry(String name, Digest digest, long size, Compression compression) {
    }
}
