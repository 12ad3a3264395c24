package keel.image.oci.archive;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

import keel.api.KeelException;
import keel.api.image.Digest;

/**
 * Names inside an image archive, checked before anything else looks at them. A name is relative,
 * made of components separated by '/', none of them '..' (a leading "./" and "." components are
 * dropped, as tar writers add them); no NUL, no backslash, not absolute. Links resolve only inside
 * the archive's own name space, lexically: nothing here touches the file system.
 */
public final class EntryNames {
    private static final Pattern BLOB = Pattern.compile("blobs/sha256/([0-9a-f]{64})");
    private static final int MAX_NAME = 4096;

    private EntryNames() {
    }

    /** The normal form of an entry name ("" for the archive root), or invalid-argument naming it. */
    public static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw KeelException.invalid("archive entry with an empty name");
        }
        if (raw.length() > MAX_NAME) {
            throw KeelException.invalid("archive entry name longer than %d characters", MAX_NAME);
        }
        if (raw.indexOf('\0') >= 0 || raw.indexOf('\\') >= 0) {
            throw KeelException.invalid("archive entry '%s' has a NUL or backslash in its name", printable(raw));
        }
        if (raw.startsWith("/")) {
            throw KeelException.invalid("archive entry '%s' has an absolute name", printable(raw));
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (String component : raw.split("/", -1)) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw KeelException.invalid("archive entry '%s' has a '..' component", printable(raw));
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(component);
        }
        return out.toString();
    }

    /**
     * Where a symbolic link at {@code name} pointing at {@code target} leads, as an entry name; a
     * target that is absolute or climbs above the archive root is invalid.
     */
    public static String resolveSymlink(String name, String target) {
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0) {
            throw KeelException.invalid("archive link '%s' has an absolute or empty target '%s'", name,
                    printable(String.valueOf(target)));
        }
        Deque<String> path = new ArrayDeque<>();
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            for (String c : name.substring(0, slash).split("/")) {
                path.addLast(c);
            }
        }
        for (String c : target.split("/", -1)) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (path.isEmpty()) {
                    throw KeelException.invalid("archive link '%s' points outside the archive ('%s')", name,
                            printable(target));
                }
                path.removeLast();
            } else {
                path.addLast(c);
            }
        }
        return String.join("/", path);
    }

    /** True if {@code name} (normalised) is under {@code blobs/}. */
    public static boolean isUnderBlobs(String name) {
        return name.equals("blobs") || name.startsWith("blobs/");
    }

    /**
     * The digest a file under {@code blobs/} is named by. Only {@code blobs/sha256/<64 hex>} names a
     * blob; any other file there is invalid (a digest becomes a path, so nothing else may pass).
     */
    public static Digest blobDigest(String name) {
        var m = BLOB.matcher(name);
        if (!m.matches()) {
            throw KeelException.invalid("archive entry '%s' is under blobs/ but is not blobs/sha256/<64 lower-case "
                    + "hex digits>", printable(name));
        }
        return new Digest("sha256", m.group(1));
    }

    /** The name under which the blob {@code digest} is stored in a layout. */
    public static String blobName(Digest digest) {
        return "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return s.length() > 200 ? out + "..." : out.toString();
    }
}
