package keel.cgroup.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The parent cgroup every container's cgroup is made under ({@code keel}, {@code keel/ci}). */
public final class CgroupParents {
    private CgroupParents() {
    }

    /**
     * Removes {@code parent} under {@code mount}, and its own parents up to the mount, where they
     * hold no cgroup any more: a driver going away leaves nothing behind when no container is
     * left. A parent still in use stays (rmdir fails on it, which is the check); the next
     * container's create makes it again.
     */
    public static void removeIfEmpty(Path mount, String parent) {
        for (Path dir = mount.resolve(parent); dir.startsWith(mount) && !dir.equals(mount); dir = dir.getParent()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                return; // not empty (or not ours to remove): it and everything above it stay
            }
        }
    }
}
