package keel.api.layer;

/**
 * One change of a writable layer against the layers below it, as {@code docker diff} lists them.
 *
 * @param path absolute path inside the root filesystem, e.g. {@code /etc/hosts}
 * @param kind what happened to it
 */
public record Change(String path, Kind kind) {
    public Change {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a change's path must be absolute: " + path);
        }
    }

    /** What happened to a path. */
    public enum Kind {
        /** New: not in the layers below. */
        ADDED("A"),
        /** Changed content or metadata, or a directory with changes under it. */
        MODIFIED("C"),
        /** Deleted: in the layers below, gone now (a whole subtree is one change). */
        DELETED("D"),
        /**
         * A directory whose contents below are hidden as a whole (deleted and made again):
         * {@code docker diff} shows it as changed, a layer writes it with an opaque whiteout.
         */
        OPAQUE("C");

        private final String letter;

        Kind(String letter) {
            this.letter = letter;
        }

        /** The letter {@code docker diff} prints: A, C or D. */
        public String letter() {
            return letter;
        }
    }
}
