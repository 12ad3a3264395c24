package keel.cgroup.v2;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.jna.LastErrorException;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.cgroup.CgroupPlanner;
import keel.api.cgroup.CgroupRecord;
import keel.api.cgroup.CgroupStats;
import keel.api.runtime.Resources;
import keel.cgroup.base.CgroupTrees;
import keel.cgroup.base.ControlFiles;
import keel.cgroup.base.CpuList;

/**
 * Per-container cgroups on the unified (v2) hierarchy: one leaf {@code <root>/<parent>/<container>}
 * with the controllers the host offers enabled on the way down, device access by an eBPF program,
 * freezing by cgroup.freeze, killing by cgroup.kill.
 */
public class CgroupV2Driver implements CgroupDriver, CgroupPlanner {
    static final String VERSION = "v2";
    static final String KEY = "unified";
    /** The controllers a container's limits and stats use; enabled for the parent when the root has them. */
    static final List<String> WANTED = List.of("cpu", "cpuset", "io", "memory", "pids");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final long FREEZE_TIMEOUT_MS = 10_000;
    private static final long KILL_TIMEOUT_MS = 10_000;
    private static final int SIGKILL = 9;

    private final Path root;
    private final String parent;
    private final DeviceGuard devices;

    /**
     * @param root the cgroup2 mount, e.g. {@code /sys/fs/cgroup} (or {@code /sys/fs/cgroup/unified} on a hybrid host)
     * @param parent the parent cgroup of every container, relative to the root, e.g. {@code keel}
     * @throws KeelException (unavailable) when {@code root} is not a cgroup2 hierarchy
     */
    public CgroupV2Driver(Path root, String parent) {
        this(root, parent, DeviceGuard.BPF);
    }

    CgroupV2Driver(Path root, String parent, DeviceGuard devices) {
        for (String part : parent.split("/", -1)) {
            if (!NAME.matcher(part).matches()) {
                throw KeelException.invalid("invalid cgroup parent '%s': expected names such as keel or keel/ci "
                        + "(letters, digits, '_', '.', '-')", parent);
            }
        }
        if (!Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            Path unified = root.resolve("unified");
            String hint = Files.isRegularFile(unified.resolve("cgroup.controllers"))
                    ? "; this is a hybrid host: its cgroup2 at " + unified + " has controllers '"
                            + ControlFiles.read(unified.resolve("cgroup.controllers")).orElse("").strip()
                            + "', so use the v1 driver"
                    : "";
            throw KeelException.unavailable("cgroup v2 driver: %s is not a cgroup2 hierarchy (no cgroup.controllers)%s",
                    root, hint);
        }
        this.root = root;
        this.parent = parent;
        this.devices = devices;
    }

    /** For the component: fails activation naming the controllers a container cannot do without. */
    void requireControllers(List<String> required) {
        Set<String> available = available();
        List<String> missing = required.stream().filter(c -> !available.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw KeelException.unavailable("cgroup v2 driver: the cgroup2 hierarchy at %s has no %s controller (it "
                    + "has: %s); containers could not be limited", root, String.join(", ", missing),
                    available.isEmpty() ? "none" : String.join(" ", available));
        }
    }

    /** cgroup.controllers of the root. */
    Set<String> available() {
        Set<String> controllers = new TreeSet<>();
        for (String controller : ControlFiles.read(root.resolve("cgroup.controllers")).orElse("").strip().split("\\s+")) {
            if (!controller.isEmpty()) {
                controllers.add(controller);
            }
        }
        return controllers;
    }

    @Override
    public Map<String, String> describe() {
        LimitsCheck.Host host = host();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("cgroup.version", VERSION);
        facts.put("cgroup.root", root.toString());
        facts.put("cgroup.parent", parent);
        facts.put("cgroup.controllers", String.join(" ", host.controllers()));
        facts.put("cgroup.cpus", host.cpus().toString());
        facts.put("cgroup.mems", host.mems().toString());
        facts.put("cgroup.devices", "eBPF cgroup device program, default deny");
        return facts;
    }

    // ---------------------------------------------------------------- create / update

    @Override
    public void validate(Resources resources) {
        LimitsCheck.check(resources, host(), false);
    }

    @Override
    public CgroupRecord plan(String containerId) {
        checkName(containerId);
        return new CgroupRecord(containerId, VERSION, Map.of(KEY, root.resolve(parent).resolve(containerId).toString()));
    }

    @Override
    public CgroupRecord create(String containerId, Resources resources) {
        checkName(containerId);
        LimitsCheck.Host host = host();
        Limits limits = LimitsCheck.check(resources, host, false);
        Path leaf = root.resolve(parent).resolve(containerId);
        if (Files.exists(leaf)) {
            throw new KeelException(ErrorKind.ALREADY_EXISTS,
                    "container " + containerId + " already has a cgroup: " + leaf + " exists");
        }
        makeParent(host.controllers(), limits);
        try {
            Files.createDirectory(leaf);
        } catch (FileAlreadyExistsException e) {
            throw new KeelException(ErrorKind.ALREADY_EXISTS,
                    "container " + containerId + " already has a cgroup: " + leaf + " exists", e);
        } catch (IOException e) {
            throw KeelException.internal("cannot create cgroup " + leaf + ": " + CgroupFiles.reason(e), e);
        }
        CgroupRecord record = plan(containerId);
        try {
            apply(leaf, limits, true);
            return record;
        } catch (RuntimeException e) {
            try {
                CgroupTrees.remove(leaf);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Makes the parent and enables, from the root down, each wanted controller the root has; one
     * that cannot be enabled fails only if the asked limits need it.
     */
    private void makeParent(Set<String> available, Limits limits) {
        Set<String> needed = new LinkedHashSet<>(LimitsCheck.controllersNeeded(limits).values());
        Path dir = root;
        List<Path> chain = new ArrayList<>(List.of(root));
        for (Path part : Path.of(parent)) {
            dir = dir.resolve(part);
            chain.add(dir);
        }
        for (Path step : chain) {
            if (!step.equals(root)) {
                try {
                    Files.createDirectories(step);
                } catch (IOException e) {
                    throw KeelException.internal("cannot create cgroup " + step + ": " + CgroupFiles.reason(e), e);
                }
            }
            for (String controller : WANTED) {
                if (!available.contains(controller)) {
                    continue;
                }
                try {
                    CgroupFiles.write(step.resolve("cgroup.subtree_control"), "+" + controller);
                } catch (IOException e) {
                    if (needed.contains(controller)) {
                        throw KeelException.internal("cannot enable the " + controller + " controller in " + step
                                + "/cgroup.subtree_control: " + CgroupFiles.reason(e), e);
                    }
                }
            }
        }
    }

    @Override
    public void update(CgroupRecord cgroup, Resources resources) {
        Path leaf = leaf(cgroup);
        Limits limits = LimitsCheck.check(resources, host(), true);
        requireExists(cgroup, leaf);
        apply(leaf, limits, false);
    }

    private void apply(Path leaf, Limits limits, boolean fresh) {
        if (limits.devices() != null) {
            devices.apply(leaf, limits.devices());
        }
        long currentMemory = fresh ? -1 : ControlFiles.number(leaf.resolve("memory.max"), -1, -1);
        boolean ioBfq = Files.exists(leaf.resolve("io.bfq.weight"));
        boolean swapMax = Files.exists(leaf.resolve("memory.swap.max")) || !isCgroupFs(leaf);
        for (LimitWrites.Write write : LimitWrites.plan(limits, currentMemory, ioBfq, swapMax)) {
            CgroupFiles.write(leaf.resolve(write.file()), write.value(), write.what());
        }
    }

    /** A real cgroup directory has cgroup.procs from birth; the file-format tests' tree does not. */
    private static boolean isCgroupFs(Path dir) {
        return Files.exists(dir.resolve("cgroup.procs"));
    }

    // ---------------------------------------------------------------- membership and stats

    @Override
    public void join(CgroupRecord cgroup, int pid) {
        Path leaf = leaf(cgroup);
        if (pid <= 0) {
            throw KeelException.invalid("cannot move pid %d into a cgroup: a pid is positive", pid);
        }
        requireExists(cgroup, leaf);
        try {
            CgroupFiles.write(leaf.resolve("cgroup.procs"), Integer.toString(pid));
        } catch (IOException e) {
            String reason = CgroupFiles.reason(e);
            if (reason.contains("No such process")) {
                throw KeelException.notFound("cannot move pid %d into the cgroup of container %s: no such process", pid,
                        cgroup.containerId());
            }
            throw KeelException.internal("cannot move pid " + pid + " into " + leaf + ": " + reason, e);
        }
    }

    @Override
    public Set<Integer> pids(CgroupRecord cgroup) {
        return new TreeSet<>(ControlFiles.pids(leaf(cgroup).resolve("cgroup.procs")));
    }

    /** One file: memory.events' oom_kill (0 once the cgroup is gone). */
    @Override
    public long oomKills(CgroupRecord cgroup) {
        return ControlFiles.keyed(leaf(cgroup).resolve("memory.events"), "oom_kill");
    }

    @Override
    public CgroupStats stats(CgroupRecord cgroup) {
        Path leaf = leaf(cgroup);
        requireExists(cgroup, leaf);
        long[] io = parseIoStat(ControlFiles.read(leaf.resolve("io.stat")).orElse(""));
        long tasks = Files.exists(leaf.resolve("pids.current"))
                ? ControlFiles.number(leaf.resolve("pids.current"), 0, 0)
                : ControlFiles.pids(leaf.resolve("cgroup.threads")).size(); // no pids controller: count the tasks
        return new CgroupStats(
                ControlFiles.keyed(leaf.resolve("cpu.stat"), "usage_usec") * 1000,
                ControlFiles.number(leaf.resolve("memory.current"), 0, 0),
                ControlFiles.number(leaf.resolve("memory.max"), Long.MAX_VALUE, Long.MAX_VALUE),
                tasks,
                ControlFiles.number(leaf.resolve("pids.max"), 0, 0),
                io[0], io[1],
                oomKills(cgroup));
    }

    /** Sums rbytes and wbytes over the devices of io.stat ({@code 8:0 rbytes=1 wbytes=2 rios=...}). */
    static long[] parseIoStat(String text) {
        long[] io = new long[2];
        for (String line : text.split("\n")) {
            for (String field : line.strip().split("\\s+")) {
                if (field.startsWith("rbytes=")) {
                    io[0] += Long.parseLong(field.substring(7));
                } else if (field.startsWith("wbytes=")) {
                    io[1] += Long.parseLong(field.substring(7));
                }
            }
        }
        return io;
    }

    // ---------------------------------------------------------------- freeze, kill, destroy

    @Override
    public void freeze(CgroupRecord cgroup) {
        setFrozen(cgroup, true);
    }

    @Override
    public void thaw(CgroupRecord cgroup) {
        setFrozen(cgroup, false);
    }

    /** Writes cgroup.freeze and waits until cgroup.events says {@code frozen} is reached. */
    private void setFrozen(CgroupRecord cgroup, boolean frozen) {
        Path leaf = leaf(cgroup);
        requireExists(cgroup, leaf);
        CgroupFiles.write(leaf.resolve("cgroup.freeze"), frozen ? "1" : "0", "cgroup.freeze " + (frozen ? 1 : 0));
        long deadline = System.nanoTime() + FREEZE_TIMEOUT_MS * 1_000_000;
        while (ControlFiles.keyed(leaf.resolve("cgroup.events"), "frozen") != (frozen ? 1 : 0)) {
            if (System.nanoTime() > deadline) {
                if (frozen) {
                    CgroupFiles.write(leaf.resolve("cgroup.freeze"), "0", "cgroup.freeze 0");
                }
                throw KeelException.unavailable("the cgroup of container %s did not become %s within %d ms; retry",
                        cgroup.containerId(), frozen ? "frozen" : "thawed", FREEZE_TIMEOUT_MS);
            }
            pause(2);
        }
    }

    @Override
    public void killAll(CgroupRecord cgroup, int signal) {
        Path leaf = leaf(cgroup);
        if (signal <= 0 || signal > 64) {
            throw KeelException.invalid("invalid signal %d: expected 1-64", signal);
        }
        requireExists(cgroup, leaf);
        if (signal == SIGKILL && Files.exists(leaf.resolve("cgroup.kill"))) {
            CgroupFiles.write(leaf.resolve("cgroup.kill"), "1", "cgroup.kill");
            return;
        }
        freeze(cgroup);
        try {
            for (int pid : pids(cgroup)) {
                try {
                    Libc.C.kill(pid, signal);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Libc.ESRCH) {
                        throw KeelException.internal("cannot send signal " + signal + " to pid " + pid, e);
                    }
                }
            }
        } finally {
            thaw(cgroup);
        }
    }

    @Override
    public void destroy(CgroupRecord cgroup) {
        Path leaf = leaf(cgroup);
        if (!Files.isDirectory(leaf)) {
            return;
        }
        long deadline = System.nanoTime() + KILL_TIMEOUT_MS * 1_000_000;
        while (ControlFiles.keyed(leaf.resolve("cgroup.events"), "populated") != 0) {
            if (System.nanoTime() > deadline) {
                throw KeelException.unavailable("cannot remove the cgroup of container %s: processes %s are still in "
                        + "it %d ms after SIGKILL (uninterruptible sleep?); retry", cgroup.containerId(),
                        pids(cgroup), KILL_TIMEOUT_MS);
            }
            killAll(cgroup, SIGKILL);
            pause(10);
        }
        CgroupTrees.remove(leaf);
    }

    @Override
    public CgroupRecord adopt(CgroupRecord cgroup) {
        Path leaf = leaf(cgroup);
        requireExists(cgroup, leaf);
        return new CgroupRecord(cgroup.containerId(), VERSION, Map.of(KEY, leaf.toString()));
    }

    // ---------------------------------------------------------------- records and paths

    /**
     * A record comes back from the kernel's state store: before its path is used, check that it is
     * a v2 record whose one directory is {@code <root>/.../<containerId>}.
     */
    private Path leaf(CgroupRecord record) {
        if (record == null) {
            throw KeelException.invalid("no cgroup record given");
        }
        checkName(record.containerId());
        if (!VERSION.equals(record.version())) {
            throw KeelException.invalid("cgroup record of container %s is for cgroup %s, not v2: the v2 driver cannot "
                    + "manage it", record.containerId(), record.version());
        }
        String text = record.paths().get(KEY);
        if (text == null || record.paths().size() != 1) {
            throw KeelException.invalid("cgroup record of container %s must hold exactly one path, '%s'",
                    record.containerId(), KEY);
        }
        Path path = Path.of(text);
        if (!path.isAbsolute() || !path.normalize().equals(path) || !path.startsWith(root)
                || path.getNameCount() <= root.getNameCount() + 1
                || !path.getFileName().toString().equals(record.containerId())) {
            throw KeelException.invalid("cgroup record of container %s names %s, which is not a container cgroup under "
                    + "%s", record.containerId(), text, root);
        }
        return path;
    }

    private static void requireExists(CgroupRecord record, Path leaf) {
        if (!Files.isDirectory(leaf)) {
            throw KeelException.notFound("the cgroup of container %s is gone: %s does not exist", record.containerId(),
                    leaf);
        }
    }

    private static void checkName(String containerId) {
        if (containerId == null || !NAME.matcher(containerId).matches()) {
            throw KeelException.invalid("invalid container id '%s': expected 1-128 letters, digits, '_', '.', '-', "
                    + "starting with a letter or digit", containerId);
        }
    }

    /**
     * The CPUs and memory nodes a container may use: the parent's (or root's) effective cpuset when
     * the cpuset controller is there, else the host's online CPUs and nodes.
     */
    private LimitsCheck.Host host() {
        Path dir = root.resolve(parent);
        if (!Files.isDirectory(dir)) {
            dir = root;
        }
        Path sys = Path.of("/sys/devices/system");
        Path at = dir;
        CpuList cpus = CpuList.parse(ControlFiles.read(at.resolve("cpuset.cpus.effective"))
                .or(() -> ControlFiles.read(sys.resolve("cpu/online"))).orElse("0"));
        CpuList mems = CpuList.parse(ControlFiles.read(at.resolve("cpuset.mems.effective"))
                .or(() -> ControlFiles.read(sys.resolve("node/online"))).orElse("0"));
        return new LimitsCheck.Host(cpus, mems, available(), root.toString());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while waiting for a cgroup");
        }
    }

    /** Removes the parent cgroup where no container is left in it (on deactivation). */
    public void removeEmptyParent() {
        keel.cgroup.base.CgroupParents.removeIfEmpty(root, parent);
    }

}
