package keel.layer.tar;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;

import keel.api.KeelException;
import keel.api.image.MediaTypes;

/**
 * The layer media types and their decompression, chosen by the media type alone: content is never
 * sniffed, so a tar+gzip layer whose bytes are zstd fails instead of being read as something else.
 */
enum Compression {
    NONE, GZIP, ZSTD;

    private static final int SOURCE_BUFFER = 256 * 1024;

    /** Every media type this unpacker reads: OCI (and its non-distributable forms) and Docker schema 2. */
    static final Map<String, Compression> MEDIA_TYPES;

    static {
        Map<String, Compression> types = new LinkedHashMap<>();
        types.put(MediaTypes.OCI_LAYER_TAR, NONE);
        types.put(MediaTypes.OCI_LAYER_GZIP, GZIP);
        types.put(MediaTypes.OCI_LAYER_ZSTD, ZSTD);
        types.put(MediaTypes.DOCKER_LAYER_GZIP, GZIP);
        // the names containerd also accepts for the same formats
        types.put("application/vnd.docker.image.rootfs.diff.tar", NONE);
        types.put("application/vnd.docker.image.rootfs.diff.tar.zstd", ZSTD);
        types.put("application/vnd.docker.image.rootfs.foreign.diff.tar", NONE);
        types.put("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", GZIP);
        types.put("application/vnd.oci.image.layer.nondistributable.v1.tar", NONE);
        types.put("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", GZIP);
        types.put("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", ZSTD);
        MEDIA_TYPES = Collections.unmodifiableMap(types);
    }

    static Set<String> mediaTypes() {
        return MEDIA_TYPES.keySet();
    }

    static Compression of(String mediaType) {
        Compression compression = mediaType == null ? null : MEDIA_TYPES.get(mediaType);
        if (compression == null) {
            throw KeelException.invalid("layer media type '%s' is not one the tar unpacker reads: expected one of %s",
                    mediaType, String.join(", ", MEDIA_TYPES.keySet()));
        }
        return compression;
    }

    /** The uncompressed stream of {@code source}; errors of {@code source} itself are {@link SourceException}s. */
    InputStream open(InputStream source) throws IOException {
        return switch (this) {
            case NONE -> new Source(source);
            case GZIP -> new GzipInputStream(new Source(source), SOURCE_BUFFER);
            // a truncated frame is an error (not continuous); the window is capped by zstd's default limit (128 MiB)
            case ZSTD -> new ZstdInputStreamNoFinalizer(new BufferedInputStream(new Source(source), SOURCE_BUFFER));
        };
    }

    /** An I/O error of the layer's own source (the content store, the network): not the layer's fault. */
    static final class SourceException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class Source extends FilterInputStream {
        Source(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }
    }
}
