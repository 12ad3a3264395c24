package keel.api.runtime;

/**
 * A namespace (OCI {@code linux.namespaces[]}): {@code type} is pid, network, mount, ipc, uts, user
 * or cgroup; {@code path} names one to join, or is null to create a new one.
 */
public record Namespace(String type, String path) {
}
