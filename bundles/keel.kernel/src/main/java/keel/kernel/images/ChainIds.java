package keel.kernel.images;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import keel.api.image.Digest;

/**
 * The OCI chain ids of an image's layers: the first layer's is its diff id, each next one
 * {@code sha256(parent chain id + " " + diff id)}. A layer snapshot is keyed by its chain id, so
 * images that share a base share its snapshots.
 */
public final class ChainIds {
    private ChainIds() {
    }

    /** The chain id of each layer, bottom first. */
    public static List<Digest> of(List<Digest> diffIds) {
        List<Digest> chain = new ArrayList<>(diffIds.size());
        Digest previous = null;
        for (Digest diffId : diffIds) {
            previous = previous == null ? diffId : sha256(previous + " " + diffId);
            chain.add(previous);
        }
        return chain;
    }

    /** Whether a snapshot key is a layer's chain id (as opposed to a container's or a temporary one). */
    public static boolean isChainKey(String key) {
        return key.matches("sha256:[0-9a-f]{64}");
    }

    private static Digest sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return new Digest("sha256", HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
