package keel.storage.base;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import keel.api.KeelException;

/**
 * The grammar of snapshot keys and labels, checked before anything else. Keys never become paths
 * (snapshots live in directories named by numeric ids), but they are shown, logged and stored, so
 * they are held to a strict grammar: 1 to 255 characters from {@code [A-Za-z0-9._:@+=-]}, starting
 * with a letter or digit. That admits {@code sha256:<hex>} chain ids and container ids, and refuses
 * {@code /}, {@code ..}, NUL, white space and anything that could be read as an option.
 */
public final class Keys {
    public static final int MAX_KEY_LENGTH = 255;
    /** containerd's bound: a label's name and value together, in UTF-8 bytes. */
    public static final int MAX_LABEL_BYTES = 4096;
    public static final int MAX_LABELS = 256;

    private Keys() {
    }

    /** Returns {@code key} if it is a valid snapshot key; {@code what} names it in the error ("key", "parent"). */
    public static String check(String key, String what) {
        if (key == null || key.isEmpty()) {
            throw KeelException.invalid("snapshot %s is empty: give a name of 1 to %d characters from "
                    + "[A-Za-z0-9._:@+=-]", what, MAX_KEY_LENGTH);
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw KeelException.invalid("snapshot %s '%s...' is %d characters long: at most %d are allowed", what,
                    key.substring(0, 32), key.length(), MAX_KEY_LENGTH);
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (i == 0 && !alnum) {
                throw KeelException.invalid("snapshot %s '%s' must start with a letter or digit", what,
                        printable(key));
            }
            if (!alnum && ".-_:@+=".indexOf(c) < 0) {
                throw KeelException.invalid("snapshot %s '%s' contains '%s' at %d: only [A-Za-z0-9._:@+=-] "
                        + "are allowed", what, printable(key), printable(String.valueOf(c)), i);
            }
        }
        return key;
    }

    /** Checks labels (containerd's limits) and returns an immutable copy; null is no labels. */
    public static Map<String, String> checkLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return Map.of();
        }
        if (labels.size() > MAX_LABELS) {
            throw KeelException.invalid("%d labels given: at most %d are allowed", labels.size(), MAX_LABELS);
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String name = label.getKey();
            String value = label.getValue();
            if (name == null || name.isEmpty()) {
                throw KeelException.invalid("a label has an empty name");
            }
            if (value == null) {
                throw KeelException.invalid("label '%s' has no value", printable(name));
            }
            int bytes = name.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_LABEL_BYTES) {
                throw KeelException.invalid("label '%s' is %d bytes with its value: at most %d are allowed",
                        printable(name.length() > 64 ? name.substring(0, 64) + "..." : name), bytes,
                        MAX_LABEL_BYTES);
            }
        }
        return Map.copyOf(labels);
    }

    /** {@code text} with control characters shown as escapes, for error messages. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
