package keel.api.image;

import java.util.regex.Pattern;

import keel.api.KeelException;

/**
 * A content digest such as {@code sha256:e3b0...}. Only sha256 (64 hex) and sha512 (128 hex) are
 * accepted, lower case: a digest is used to build paths, so nothing else may pass.
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");

    public Digest {
        boolean valid = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!valid) {
            throw KeelException.invalid("invalid digest '%s:%s': expected sha256 with 64 or sha512 with 128 "
                    + "lower-case hex digits", algorithm, hex);
        }
    }

    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw KeelException.invalid("invalid digest '%s': expected ALGORITHM:HEX such as sha256:...", text);
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
