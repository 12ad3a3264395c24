package keel.kernel.containers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageInfo;
import keel.api.layer.LayerUnpacker;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.storage.StorageDriver;
import keel.kernel.state.CrashPoints;

/**
 * An image's layers as committed snapshots, each keyed by its chain id and shared by every image
 * that has it: a missing layer is unpacked into a fresh snapshot on its parent, its diff id checked
 * against the image config, and only then committed; a failed unpack removes its snapshot.
 */
final class ImageRootfs {
    private final Map<String, Object> chainLocks = new ConcurrentHashMap<>();

    /** Makes sure every layer is there; returns the key of the top layer's snapshot. */
    String layers(ImageInfo image, ContentStore blobs, StorageDriver storage, LayerUnpacker unpacker) {
        List<Digest> diffIds = image.config().diffIds();
        List<Descriptor> layers = image.layers();
        if (diffIds.size() != layers.size()) {
            throw KeelException.invalid("image %s has %d layers but its config lists %d diff ids", image.shortId(),
                    layers.size(), diffIds.size());
        }
        List<Digest> chain = keel.kernel.images.ChainIds.of(diffIds);
        String parent = null;
        for (int i = 0; i < layers.size(); i++) {
            String key = chain.get(i).toString();
            synchronized (chainLocks.computeIfAbsent(key, k -> new Object())) {
                if (!committed(storage, key)) {
                    unpack(layers.get(i), diffIds.get(i), parent, key, blobs, storage, unpacker);
                }
            }
            parent = key;
        }
        return parent;
    }

    private static boolean committed(StorageDriver storage, String key) {
        try {
            storage.stat(key);
            return true;
        } catch (KeelException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private static void unpack(Descriptor layer, Digest diffId, String parent, String key, ContentStore blobs,
            StorageDriver storage, LayerUnpacker unpacker) {
        Path blob = blobs.path(layer.digest()).orElseThrow(() -> KeelException.notFound(
                "layer %s is not in the content store: pull or load the image again", layer.digest()));
        String temporary = "extract-" + UUID.randomUUID();
        storage.prepare(temporary, parent, Map.of("keel.layer", layer.digest().toString()));
        CrashPoints.reach("create.layer-extracting");
        try (InputStream in = Files.newInputStream(blob)) {
            UnpackResult result = unpacker.unpack(in, layer.mediaType(), storage.upperDir(temporary),
                    storage.whiteoutStyle(), UnpackLimits.DEFAULT);
            if (!result.diffId().equals(diffId)) {
                throw KeelException.invalid("layer %s: its content's diff id %s does not match the image config's %s",
                        layer.digest(), result.diffId(), diffId);
            }
            storage.commit(key, temporary, Map.of("keel.diffid", diffId.toString()));
            CrashPoints.reach("create.layer-committed");
        } catch (IOException | RuntimeException e) {
            try {
                storage.remove(temporary);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof KeelException k) {
                throw k;
            }
            throw KeelException.internal("cannot unpack layer " + layer.digest() + ": " + e.getMessage(), e);
        }
    }
}
