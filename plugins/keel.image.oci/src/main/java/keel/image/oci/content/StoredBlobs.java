package keel.image.oci.content;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;

/**
 * Reading back what the store holds, never trusting a descriptor's claims: the stored size must be
 * the descriptor's size, and JSON documents are hashed again as they are read (they are small).
 */
public final class StoredBlobs {
    private StoredBlobs() {
    }

    /** The stored blob's file, checking that it exists and has the descriptor's size. */
    public static Path require(ContentStore store, Descriptor d, String what) {
        Path path = store.path(d.digest()).orElseThrow(
                () -> KeelException.notFound("%s %s is not in the content store", what, d.digest()));
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw KeelException.internal("cannot read the size of " + what + " " + d.digest() + " in the store", e);
        }
        if (size != d.size()) {
            throw KeelException.invalid("%s %s: the descriptor says %d bytes but the verified blob has %d", what,
                    d.digest(), d.size(), size);
        }
        return path;
    }

    /** The bytes of a stored JSON document, at most {@code limits.maxJsonBytes()}, size and digest checked. */
    public static byte[] json(ContentStore store, Descriptor d, Limits limits, String what) {
        if (d.size() > limits.maxJsonBytes()) {
            throw Json.tooLarge(what + " " + d.digest() + " (" + d.size() + " bytes)", limits.maxJsonBytes());
        }
        Path path = require(store, d, what);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = Json.readBounded(in, limits.maxJsonBytes(), what + " " + d.digest());
        } catch (IOException e) {
            throw KeelException.internal("cannot read " + what + " " + d.digest() + " from the store", e);
        }
        Digest actual = Digests.of(bytes, d.digest());
        if (bytes.length != d.size() || !actual.equals(d.digest())) {
            throw KeelException.internal("the content store's blob " + d.digest() + " (" + what + ") reads back as "
                    + actual + " with " + bytes.length + " bytes: the store is corrupt", null);
        }
        return bytes;
    }
}
