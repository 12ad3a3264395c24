package keel.api.space;

import java.util.List;

/**
 * What a prune removed, as docker prints it.
 *
 * @param deleted one line per removed object ("Deleted: sha256:...", a container id, "Untagged: ...")
 * @param reclaimed bytes freed on disk
 */
public record PruneReport(List<String> deleted, long reclaimed) {
    public PruneReport {
        deleted = List.copyOf(deleted);
    }

    public static final PruneReport NOTHING = new PruneReport(List.of(), 0);

    public PruneReport plus(PruneReport other) {
        List<String> all = new java.util.ArrayList<>(deleted);
        all.addAll(other.deleted);
        return new PruneReport(all, reclaimed + other.reclaimed);
    }
}
