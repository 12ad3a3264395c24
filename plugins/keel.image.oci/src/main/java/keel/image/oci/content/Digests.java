package keel.image.oci.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import keel.api.KeelException;
import keel.api.image.Digest;

/** Computing digests in the algorithms {@link Digest} admits. */
public final class Digests {
    private Digests() {
    }

    /** A fresh hasher for {@code algorithm} ({@code sha256} or {@code sha512}). */
    public static MessageDigest hasher(String algorithm) {
        String jca = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw KeelException.invalid("unsupported digest algorithm '%s'", algorithm);
        };
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw KeelException.internal("the JVM has no " + jca, e);
        }
    }

    /** The digest of what {@code hasher} saw, in {@code algorithm}. */
    public static Digest finish(String algorithm, MessageDigest hasher) {
        return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
    }

    public static Digest sha256(byte[] bytes) {
        MessageDigest hasher = hasher("sha256");
        hasher.update(bytes);
        return finish("sha256", hasher);
    }

    /** The digest of {@code bytes} in the algorithm of {@code like}. */
    public static Digest of(byte[] bytes, Digest like) {
        MessageDigest hasher = hasher(like.algorithm());
        hasher.update(bytes);
        return finish(like.algorithm(), hasher);
    }
}
