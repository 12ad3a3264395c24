package keel.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;

/** The host's real cgroup2 mount and this test JVM's own parent cgroup in it, {@code keel-test-<pid>}. */
final class V2TestCgroups {
    static final String PARENT = "keel-test-" + ProcessHandle.current().pid();
    /** The cgroup2 mount: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one. */
    static final Path ROOT = Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.controllers"))
            ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/unified");

    private V2TestCgroups() {
    }

    static CgroupV2Driver driver() {
        return new CgroupV2Driver(ROOT, PARENT);
    }

    static Path parent() {
        return ROOT.resolve(PARENT);
    }

    static void removeParent() {
        if (Files.isDirectory(parent())) {
            keel.cgroup.base.CgroupTrees.rmdir(parent());
        }
    }

    static void banner(String what) {
        String controllers = driver().available().toString();
        System.out.println("[cgroup v2] REAL: " + what + " on " + parent() + " (controllers of " + ROOT + ": "
                + controllers + ")");
    }
}
