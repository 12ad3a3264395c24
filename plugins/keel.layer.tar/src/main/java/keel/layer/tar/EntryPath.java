package keel.layer.tar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import keel.api.KeelException;

/**
 * A tar entry name made safe to resolve inside the layer root, as bytes: leading slashes dropped
 * (containerd treats {@code /a} as {@code a}), empty and {@code .} components dropped, {@code ..}
 * applied lexically, and refused when it would climb above the root. A NUL byte, a name longer than
 * the limit and a component longer than NAME_MAX are refused. This is normalisation and input
 * validation only: what keeps writes inside the root is {@link RootDir}, which resolves the result
 * without ever leaving the root.
 */
final class EntryPath {
    static final int NAME_MAX = 255;
    private static final byte[] EMPTY = new byte[0];

    /** The cleaned path, components joined by '/', no leading or trailing slash; empty for the root. */
    private final byte[] path;
    /** Index of the last '/' in {@link #path}, or -1 when the entry is directly under the root. */
    private final int lastSlash;

    private EntryPath(byte[] path, int lastSlash) {
        this.path = path;
        this.lastSlash = lastSlash;
    }

    /**
     * Cleans {@code raw}.
     *
     * @param what how the name is called in an error ("entry", "hard link target")
     * @param shown the entry as it is named in errors
     */
    static EntryPath parse(byte[] raw, int maxLength, String what, String shown) {
        if (raw.length > maxLength) {
            throw KeelException.invalid("layer %s '%s' is %d bytes long, over the limit of %d bytes "
                    + "(UnpackLimits.maxNameLength)", what, abbreviate(shown), raw.length, maxLength);
        }
        byte[] out = new byte[raw.length];
        int outLength = 0;
        int i = 0;
        while (i < raw.length) {
            int start = i;
            while (i < raw.length && raw[i] != '/') {
                if (raw[i] == 0) {
                    throw KeelException.invalid("layer %s '%s' contains a NUL byte", what, abbreviate(shown));
                }
                i++;
            }
            int length = i - start;
            i++; // skip the slash
            if (length == 0 || length == 1 && raw[start] == '.') {
                continue;
            }
            if (length == 2 && raw[start] == '.' && raw[start + 1] == '.') {
                if (outLength == 0) {
                    throw KeelException.invalid("layer %s '%s' climbs above the root of the layer with '..'",
                            what, abbreviate(shown));
                }
                int slash = outLength - 1;
                while (slash >= 0 && out[slash] != '/') {
                    slash--;
                }
                outLength = Math.max(slash, 0);
                continue;
            }
            if (length > NAME_MAX) {
                throw KeelException.invalid("layer %s '%s' has a component of %d bytes, over NAME_MAX (%d)",
                        what, abbreviate(shown), length, NAME_MAX);
            }
            if (outLength > 0) {
                out[outLength++] = '/';
            }
            System.arraycopy(raw, start, out, outLength, length);
            outLength += length;
        }
        int lastSlash = outLength - 1;
        while (lastSlash >= 0 && out[lastSlash] != '/') {
            lastSlash--;
        }
        return new EntryPath(outLength == out.length ? out : Arrays.copyOf(out, outLength), lastSlash);
    }

    boolean isRoot() {
        return path.length == 0;
    }

    boolean isTopLevel() {
        return lastSlash < 0;
    }

    /** The cleaned path, without terminator (a key for sets and caches; do not modify). */
    byte[] bytes() {
        return path;
    }

    /** The cleaned path of the parent directory; empty for the root. */
    byte[] parentBytes() {
        return lastSlash < 0 ? EMPTY : Arrays.copyOf(path, lastSlash);
    }

    /** The parent as a key (ISO-8859-1, byte for char). */
    String parentKey() {
        return lastSlash < 0 ? "" : new String(path, 0, lastSlash, StandardCharsets.ISO_8859_1);
    }

    /** The path as a key (ISO-8859-1, byte for char). */
    String key() {
        return new String(path, StandardCharsets.ISO_8859_1);
    }

    /** The last component, NUL-terminated for a system call. */
    byte[] baseZ() {
        int from = lastSlash + 1;
        byte[] z = new byte[path.length - from + 1];
        System.arraycopy(path, from, z, 0, path.length - from);
        return z;
    }

    /** Whether the last component starts with {@code prefix} (ASCII). */
    boolean baseStartsWith(String prefix) {
        int from = lastSlash + 1;
        if (path.length - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (path[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The last component after {@code prefixLength} bytes, NUL-terminated. */
    byte[] baseSuffixZ(int prefixLength) {
        int from = lastSlash + 1 + prefixLength;
        byte[] z = new byte[path.length - from + 1];
        System.arraycopy(path, from, z, 0, path.length - from);
        return z;
    }

    /** The same parent with {@code base} (NUL-terminated or not) as the last component. */
    EntryPath sibling(byte[] base) {
        int baseLength = base.length > 0 && base[base.length - 1] == 0 ? base.length - 1 : base.length;
        int from = lastSlash + 1;
        byte[] out = Arrays.copyOf(path, from + baseLength);
        System.arraycopy(base, 0, out, from, baseLength);
        return new EntryPath(out, lastSlash);
    }

    /** The parent directory as an entry path; the root for a top-level entry. */
    EntryPath parent() {
        if (lastSlash < 0) {
            return new EntryPath(EMPTY, -1);
        }
        byte[] parent = Arrays.copyOf(path, lastSlash);
        int slash = lastSlash - 1;
        while (slash >= 0 && parent[slash] != '/') {
            slash--;
        }
        return new EntryPath(parent, slash);
    }

    @Override
    public String toString() {
        return new String(path, StandardCharsets.UTF_8);
    }

    static String abbreviate(String name) {
        String printable = name.replace("\0", "\\0");
        return printable.length() <= 200 ? printable : printable.substring(0, 200) + "...";
    }
}
