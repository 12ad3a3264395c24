package keel.api.layer;

import keel.api.image.Digest;

/**
 * @param diffId sha256 of the uncompressed tar stream
 * @param bytes uncompressed bytes read
 * @param entries tar entries applied
 */
public record UnpackResult(Digest diffId, long bytes, long entries) {
}
