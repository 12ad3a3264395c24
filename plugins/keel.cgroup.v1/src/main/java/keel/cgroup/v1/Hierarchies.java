package keel.cgroup.v1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import keel.api.KeelException;

/**
 * The cgroup v1 hierarchies mounted under a root such as {@code /sys/fs/cgroup}: one directory per
 * controller ({@code memory}, {@code cpu}, ...), where co-mounted controllers ({@code cpu,cpuacct})
 * share one real directory.
 */
final class Hierarchies {
    /** Without these a container is not contained: limits, accounting, device access, kill-all. */
    static final List<String> REQUIRED = List.of("cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids");
    /** Joined when mounted, so a container's processes stay together in every hierarchy. */
    static final List<String> OPTIONAL = List.of("blkio", "hugetlb", "misc", "net_cls", "net_prio", "perf_event",
            "rdma");

    private final Path root;
    private final Map<String, Path> mounts;

    private Hierarchies(Path root, Map<String, Path> mounts) {
        this.root = root;
        this.mounts = mounts;
    }

    /** Finds the hierarchies; fails, naming them, when a required one is missing. */
    static Hierarchies under(Path root) {
        Map<String, Path> mounts = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String controller : concat(REQUIRED, OPTIONAL)) {
            Path dir = root.resolve(controller);
            if (Files.isRegularFile(dir.resolve("cgroup.procs")) && !Files.exists(dir.resolve("cgroup.controllers"))) {
                try {
                    mounts.put(controller, dir.toRealPath());
                } catch (IOException e) {
                    missing.add(controller);
                }
            } else if (REQUIRED.contains(controller)) {
                missing.add(controller);
            }
        }
        if (!missing.isEmpty()) {
            throw KeelException.unavailable("cgroup v1 driver: no %s hierarchy under %s (found: %s); this host does "
                    + "not mount cgroup v1 controllers there", String.join(", ", missing), root,
                    mounts.isEmpty() ? "none" : String.join(", ", mounts.keySet()));
        }
        return new Hierarchies(root, mounts);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    Path root() {
        return root;
    }

    /** Controller name to the real directory of its hierarchy's root. */
    Map<String, Path> mounts() {
        return mounts;
    }

    Path mount(String controller) {
        return mounts.get(controller);
    }

    /** Each hierarchy once (co-mounted controllers share one). */
    Collection<Path> distinct() {
        return new LinkedHashSet<>(mounts.values());
    }
}
