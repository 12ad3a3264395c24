package keel.api.runtime;

import java.util.List;

/** Numeric identity of a process (OCI {@code process.user}). */
public record User(int uid, int gid, List<Integer> additionalGids) {
    public User {
        additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
    }
}
