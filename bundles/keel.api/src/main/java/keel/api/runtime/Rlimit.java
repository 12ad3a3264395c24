package keel.api.runtime;

/** A resource limit, e.g. {@code RLIMIT_NOFILE} (OCI {@code process.rlimits[]}). */
public record Rlimit(String type, long hard, long soft) {
}
