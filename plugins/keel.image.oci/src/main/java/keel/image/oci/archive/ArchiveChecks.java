package keel.image.oci.archive;

import java.io.InputStream;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.image.oci.content.Json;

/** Checks shared by the image sources. */
final class ArchiveChecks {
    private ArchiveChecks() {
    }

    /** {@code oci-layout} must say {@code {"imageLayoutVersion": "1.0.0"}}, the only version there is. */
    static void layoutVersion(byte[] json, String what) {
        JsonNode root = Json.parseObject(json, what);
        JsonNode version = root.get("imageLayoutVersion");
        if (version == null || !"1.0.0".equals(version.asText(null))) {
            throw KeelException.invalid("%s has imageLayoutVersion %s; only \"1.0.0\" is supported", what, version);
        }
    }

    /** The source has the blob with the descriptor's size, or a clear error naming both sizes. */
    static void sizeMatches(ImageSource source, Descriptor d, OptionalLong size) {
        if (size.isEmpty()) {
            throw KeelException.notFound("%s does not contain blob %s (%s)", source.label(), d.digest(), d.mediaType());
        }
        if (size.getAsLong() != d.size()) {
            throw KeelException.invalid("%s: blob %s is %d bytes but its descriptor says %d (%s)", source.label(),
                    d.digest(), size.getAsLong(), d.size(), d.mediaType());
        }
    }

    /** Hands {@code content} to the store, which verifies it; its refusal names {@code what}. */
    static void write(ContentStore store, Descriptor d, InputStream content, String what) {
        try {
            store.write(d, content);
        } catch (KeelException e) {
            throw new KeelException(e.kind(), what + ": " + e.getMessage(), e);
        }
    }
}
