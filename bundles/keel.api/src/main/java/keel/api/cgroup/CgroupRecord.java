package keel.api.cgroup;

import java.util.Map;

/**
 * Where a container's cgroup lives: everything another instance of a cgroup driver needs to adopt it.
 *
 * @param containerId the container
 * @param version {@code v1} or {@code v2}
 * @param paths absolute cgroup directories by controller (v1) or {@code unified} (v2)
 */
public record CgroupRecord(String containerId, String version, Map<String, String> paths) {
    public CgroupRecord {
        paths = Map.copyOf(paths);
    }
}
