package keel.cgroup.v1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real hierarchies and this test JVM's own parent cgroup, {@code keel-test-<pid>}. */
final class V1TestCgroups {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    static final String PARENT = "keel-test-" + ProcessHandle.current().pid();

    private V1TestCgroups() {
    }

    static CgroupV1Driver driver() {
        return new CgroupV1Driver(ROOT, PARENT);
    }

    static List<Path> parents() {
        return Hierarchies.under(ROOT).distinct().stream().map(mount -> mount.resolve(PARENT)).toList();
    }

    /** Removes the parent from every hierarchy (after the tests destroyed their containers). */
    static void removeParents() {
        for (Path parent : parents()) {
            if (Files.isDirectory(parent)) {
                keel.cgroup.base.CgroupTrees.rmdir(parent);
            }
        }
    }

    static void banner(String what) {
        System.out.println("[cgroup v1] REAL: " + what + " on the v1 hierarchies under " + ROOT + "/*/" + PARENT);
    }
}
