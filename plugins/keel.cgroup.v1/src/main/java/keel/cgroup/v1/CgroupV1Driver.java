package keel.cgroup.v1;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.sun.jna.LastErrorException;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.cgroup.CgroupDriver;
import keel.api.cgroup.CgroupPlanner;
import keel.api.cgroup.CgroupRecord;
import keel.api.cgroup.CgroupStats;
import keel.api.cgroup.JoinAnticipation;
import keel.api.runtime.Resources;
import keel.cgroup.base.CgroupTrees;
import keel.cgroup.base.ControlFiles;
import keel.cgroup.base.CpuList;
import keel.cgroup.base.DeviceRules;
import keel.cgroup.base.Libc;

/**
 * Per-container cgroups on the v1 hierarchies: {@code <hierarchy>/<parent>/<container>} in every
 * mounted hierarchy, device access by devices.deny/devices.allow, freezing by freezer.state.
 */
public class CgroupV1Driver implements CgroupDriver, CgroupPlanner, JoinAnticipation {
    static final String VERSION = "v1";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final long FREEZE_TIMEOUT_MS = 10_000;
    private static final long KILL_TIMEOUT_MS = 10_000;
    /** memory.limit_in_bytes at or above this is "no limit" (the kernel writes LONG_MAX rounded to a page). */
    private static final long UNLIMITED_FLOOR = 1L << 62;

    private final Hierarchies hierarchies;
    private final String parent;
    /** Whether the containers' parent in the cpuset hierarchy has cgroup.clone_children set (by this driver). */
    private volatile boolean parentClones;
    /** Started by {@link #startMigrationWarmup}; kicked by {@link #anticipateJoin}. */
    private volatile MigrationWarmup warmup;

    /**
     * @param root where the hierarchies are mounted, e.g. {@code /sys/fs/cgroup}
     * @param parent the parent cgroup of every container, relative to each hierarchy, e.g. {@code keel}
     * @throws KeelException (unavailable) when a required hierarchy is missing
     */
    public CgroupV1Driver(Path root, String parent) {
        for (String part : parent.split("/", -1)) {
            if (!NAME.matcher(part).matches()) {
                throw KeelException.invalid("invalid cgroup parent '%s': expected names such as keel or keel/ci "
                        + "(letters, digits, '_', '.', '-')", parent);
            }
        }
        this.hierarchies = Hierarchies.under(root);
        this.parent = parent;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        LimitsCheck.Host host = host();
        facts.put("cgroup.version", VERSION);
        facts.put("cgroup.root", hierarchies.root().toString());
        facts.put("cgroup.parent", parent);
        facts.put("cgroup.controllers", String.join(" ", hierarchies.mounts().keySet()));
        facts.put("cgroup.cpus", host.cpus().toString());
        facts.put("cgroup.mems", host.mems().toString());
        facts.put("cgroup.swap.accounting", Boolean.toString(host.swapAccounting()));
        facts.put("cgroup.devices", "v1 devices.allow list, default deny");
        return facts;
    }

    // ---------------------------------------------------------------- create / update

    @Override
    public void validate(Resources resources) {
        LimitsCheck.check(resources, host(), false);
    }

    /** Starts the {@link MigrationWarmup}'s grace period, if this driver has one. */
    @Override
    public void anticipateJoin() {
        MigrationWarmup w = warmup;
        if (w != null) {
            w.kick();
        }
    }

    @Override
    public CgroupRecord create(String containerId, Resources resources) {
        checkName(containerId);
        Limits limits = LimitsCheck.check(resources, host(), false);
        CgroupRecord record = recordFor(containerId);
        List<Path> made = new ArrayList<>();
        try {
            // a leaf that exists already fails its mkdir (ALREADY_EXISTS): the ones made before go again
            for (Map.Entry<Path, Path> hierarchy : dirsByMount(record, hierarchies).entrySet()) {
                makeLeaf(hierarchy.getKey(), hierarchy.getValue(), containerId);
                made.add(hierarchy.getValue());
            }
            apply(record, limits, true);
            return record;
        } catch (RuntimeException e) {
            for (Path dir : made) {
                try {
                    CgroupTrees.rmdir(dir);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    public void update(CgroupRecord cgroup, Resources resources) {
        checkRecord(cgroup);
        Limits limits = LimitsCheck.check(resources, host(), true);
        requireExists(cgroup);
        apply(cgroup, limits, false);
    }

    private void makeLeaf(Path mount, Path leaf, String containerId) {
        Path dir = mount;
        boolean cpuset = mount.equals(hierarchies.mount("cpuset"));
        for (Path part : mount.relativize(leaf)) {
            dir = dir.resolve(part);
            boolean isLeaf = dir.equals(leaf);
            boolean made = false;
            try {
                if (isLeaf || !Files.isDirectory(dir)) {   // a parent is there since the first container
                    Files.createDirectory(dir);
                    made = true;
                }
            } catch (FileAlreadyExistsException e) {
                if (isLeaf) {
                    throw new KeelException(ErrorKind.ALREADY_EXISTS,
                            "container " + containerId + " already has a cgroup: " + dir + " exists", e);
                }
            } catch (IOException e) {
                throw KeelException.internal("cannot create cgroup " + dir + ": " + ControlFiles.reason(e), e);
            }
            if (cpuset) {
                // a leaf made under a parent with clone_children has them already: two reads, no writes
                inheritCpuset(dir, "cpuset.cpus");
                inheritCpuset(dir, "cpuset.mems");
            }
            if (cpuset && !isLeaf && dir.equals(leaf.getParent()) && (!parentClones || made)) {
                // the containers' parent: the kernel then gives each new leaf its CPUs and memory nodes
                // at mkdir; set again when this create made the parent (another instance may have
                // removed the one it was set on); where it cannot be set, the leaves inherit by hand
                try {
                    CgroupFiles.write(dir.resolve("cgroup.clone_children"), "1");
                    parentClones = true;
                } catch (IOException e) {
                    parentClones = false;
                }
            }
        }
    }

    /** A new v1 cpuset cgroup starts with no CPUs and no memory nodes: take the parent's, as runc does. */
    private static void inheritCpuset(Path dir, String file) {
        if (ControlFiles.read(dir.resolve(file)).orElse("").isBlank()) {
            String inherited = ControlFiles.read(dir.getParent().resolve(file)).orElse("").strip();
            CgroupFiles.write(dir.resolve(file), inherited, file + " from the parent cgroup");
        }
    }

    private void apply(CgroupRecord record, Limits limits, boolean fresh) {
        Map<String, String> paths = record.paths();
        if (limits.devices() != null) {
            applyDevices(Path.of(paths.get("devices")), limits.devices());
        }
        String blkioWeightFile = null;
        if (limits.blkioWeight() != null) {
            blkioWeightFile = blkioWeightFile(paths);
            if (blkioWeightFile == null) {
                throw KeelException.invalid("--blkio-weight %d: this kernel's blkio controller has neither blkio.weight "
                        + "nor blkio.bfq.weight (no weight-based I/O scheduler)", limits.blkioWeight());
            }
        }
        Path memory = Path.of(paths.get("memory"));
        long currentMemory = fresh ? Long.MAX_VALUE : ControlFiles.number(memory.resolve("memory.limit_in_bytes"),
                Long.MAX_VALUE, Long.MAX_VALUE);
        boolean swapAccounting = Files.exists(memory.resolve("memory.memsw.limit_in_bytes"));
        for (LimitWrites.Write write : LimitWrites.plan(limits, currentMemory, swapAccounting, blkioWeightFile)) {
            String dir = paths.get(write.controller());
            if (dir == null) {
                throw KeelException.invalid("cannot set %s: this host has no %s hierarchy", write.what(),
                        write.controller());
            }
            CgroupFiles.write(Path.of(dir, write.file()), write.value(), write.what());
        }
    }

    private static String blkioWeightFile(Map<String, String> paths) {
        String blkio = paths.get("blkio");
        if (blkio == null) {
            return null;
        }
        for (String file : List.of("blkio.weight", "blkio.bfq.weight")) {
            if (Files.exists(Path.of(blkio, file))) {
                return file;
            }
        }
        return null;
    }

    /**
     * Moves the devices cgroup to {@code target} without a moment of more access than either state
     * gives, and without denying everything first when both are allow lists (a running container
     * keeps /dev/null through an update).
     */
    static void applyDevices(Path dir, DeviceRules target) {
        DeviceRules current = DevicesList.fromList(ControlFiles.read(dir.resolve("devices.list")).orElse(""));
        if (current.equals(target)) {
            return;
        }
        Path allow = dir.resolve("devices.allow");
        Path deny = dir.resolve("devices.deny");
        if (target.defaultAllow()) {
            CgroupFiles.write(deny, "a", "the device rules");
            CgroupFiles.write(allow, "a", "the device rules");
            CgroupFiles.writeEach(deny, kernelForms(target.exceptions()), rule -> "device rule " + rule);
            return;
        }
        if (current.defaultAllow()) {
            CgroupFiles.write(deny, "a", "the device rules");
        } else {
            for (DeviceRules.Rule held : current.exceptions()) {
                String extra = DevicesList.extraAccess(target, held);
                if (!extra.isEmpty()) {
                    DeviceRules.Rule drop = new DeviceRules.Rule(false, held.type(), held.major(), held.minor(), extra);
                    CgroupFiles.write(deny, drop.kernelForm(), "device rule " + drop.kernelForm());
                }
            }
        }
        CgroupFiles.writeEach(allow, kernelForms(target.exceptions()), rule -> "device rule " + rule);
    }

    private static List<String> kernelForms(List<DeviceRules.Rule> rules) {
        return rules.stream().map(DeviceRules.Rule::kernelForm).toList();
    }

    // ---------------------------------------------------------------- membership and stats

    @Override
    public void join(CgroupRecord cgroup, int pid) {
        checkRecord(cgroup);
        if (pid <= 0) {
            throw KeelException.invalid("cannot move pid %d into a cgroup: a pid is positive", pid);
        }
        for (Path dir : dirs(cgroup)) {
            try {
                CgroupFiles.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
            } catch (IOException e) {
                String reason = ControlFiles.reason(e);
                if (reason.contains("No such process")) {
                    throw KeelException.notFound("cannot move pid %d into the cgroup of container %s: no such process",
                            pid, cgroup.containerId());
                }
                if (reason.equals("no such file")) {
                    throw KeelException.notFound("the cgroup of container %s is gone: %s does not exist",
                            cgroup.containerId(), dir);
                }
                throw KeelException.internal("cannot move pid " + pid + " into " + dir + ": " + reason, e);
            }
        }
    }

    @Override
    public Set<Integer> pids(CgroupRecord cgroup) {
        checkRecord(cgroup);
        Set<Integer> pids = new TreeSet<>();
        for (Path dir : dirs(cgroup)) {
            pids.addAll(ControlFiles.pids(dir.resolve("cgroup.procs")));
        }
        return pids;
    }

    @Override
    public CgroupStats stats(CgroupRecord cgroup) {
        checkRecord(cgroup);
        requireExists(cgroup);
        Path cpuacct = dir(cgroup, "cpuacct");
        Path memory = dir(cgroup, "memory");
        Path pids = dir(cgroup, "pids");
        long memoryLimit = ControlFiles.number(memory.resolve("memory.limit_in_bytes"), Long.MAX_VALUE, Long.MAX_VALUE);
        long[] io = blkio(cgroup.paths().get("blkio"));
        return new CgroupStats(
                ControlFiles.number(cpuacct.resolve("cpuacct.usage"), 0, 0),
                ControlFiles.number(memory.resolve("memory.usage_in_bytes"), 0, 0),
                memoryLimit >= UNLIMITED_FLOOR ? Long.MAX_VALUE : memoryLimit,
                ControlFiles.number(pids.resolve("pids.current"), 0, 0),
                ControlFiles.number(pids.resolve("pids.max"), 0, 0),
                io[0], io[1],
                oomKills(cgroup));
    }

    /** One file: memory.oom_control's oom_kill (0 once the cgroup is gone). */
    @Override
    public long oomKills(CgroupRecord cgroup) {
        checkRecord(cgroup);
        return ControlFiles.keyed(dir(cgroup, "memory").resolve("memory.oom_control"), "oom_kill");
    }

    /** Bytes read and written: the throttle layer sees every bio; BFQ's counters only when BFQ is in use. */
    static long[] blkio(String dir) {
        long[] io = new long[2];
        if (dir == null) {
            return io;
        }
        String text = ControlFiles.read(Path.of(dir, "blkio.throttle.io_service_bytes_recursive"))
                .or(() -> ControlFiles.read(Path.of(dir, "blkio.bfq.io_service_bytes_recursive")))
                .orElse("");
        return parseBlkio(text);
    }

    /** Sums the {@code MAJ:MIN Read N} and {@code MAJ:MIN Write N} lines of io_service_bytes. */
    static long[] parseBlkio(String text) {
        long[] io = new long[2];
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 3 && fields[0].contains(":")) {
                if (fields[1].equals("Read")) {
                    io[0] += Long.parseLong(fields[2]);
                } else if (fields[1].equals("Write")) {
                    io[1] += Long.parseLong(fields[2]);
                }
            }
        }
        return io;
    }

    // ---------------------------------------------------------------- freeze, kill, destroy

    @Override
    public void freeze(CgroupRecord cgroup) {
        checkRecord(cgroup);
        setFreezer(cgroup, "FROZEN");
    }

    @Override
    public void thaw(CgroupRecord cgroup) {
        checkRecord(cgroup);
        setFreezer(cgroup, "THAWED");
    }

    /** Writes the state and waits until the kernel reports it, writing it again meanwhile as runc does. */
    private void setFreezer(CgroupRecord cgroup, String state) {
        Path file = dir(cgroup, "freezer").resolve("freezer.state");
        if (!Files.exists(file)) {
            throw KeelException.notFound("the cgroup of container %s is gone: %s does not exist", cgroup.containerId(),
                    file.getParent());
        }
        long deadline = System.nanoTime() + FREEZE_TIMEOUT_MS * 1_000_000;
        for (int round = 0; ; round++) {
            if (round % 50 == 0) {
                try {
                    CgroupFiles.write(file, state);
                } catch (java.io.IOException e) {
                    boolean gone = !Files.isDirectory(file.getParent()) || ControlFiles.isGone(e);
                    if (state.equals("THAWED") && gone) {
                        return; // the cgroup went between the check and the write: nothing in it is frozen
                    }
                    throw CgroupFiles.failed(file, state, "freezer.state " + state, e);
                }
            }
            Optional<String> now = ControlFiles.read(file);
            if (now.isEmpty()) { // the cgroup went meanwhile (its container ended and was cleaned up)
                if (state.equals("THAWED")) {
                    return; // nothing in it is frozen
                }
                throw KeelException.notFound("the cgroup of container %s is gone: %s was removed",
                        cgroup.containerId(), file.getParent());
            }
            if (now.orElse("").strip().equals(state)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                if (state.equals("FROZEN")) {
                    CgroupFiles.write(file, "THAWED", "freezer.state THAWED");
                }
                throw KeelException.unavailable("the freezer of container %s did not reach %s within %d ms (a task may be "
                        + "in uninterruptible sleep); retry", cgroup.containerId(), state, FREEZE_TIMEOUT_MS);
            }
            pause(2);
        }
    }

    @Override
    public void killAll(CgroupRecord cgroup, int signal) {
        checkRecord(cgroup);
        if (signal <= 0 || signal > 64) {
            throw KeelException.invalid("invalid signal %d: expected 1-64", signal);
        }
        requireExists(cgroup);
        freeze(cgroup);
        try {
            for (int pid : pids(cgroup)) {
                signal(pid, signal);
            }
        } finally {
            thaw(cgroup);
        }
    }

    private static void signal(int pid, int signal) {
        try {
            Libc.C.kill(pid, signal);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Libc.ESRCH) {
                throw KeelException.internal("cannot send signal " + signal + " to pid " + pid, e);
            }
        }
    }

    @Override
    public void destroy(CgroupRecord cgroup) {
        checkRecord(cgroup);
        List<Path> existing = dirs(cgroup).stream().filter(Files::isDirectory).toList();
        if (existing.isEmpty()) {
            return;
        }
        Set<Integer> left = pids(cgroup);
        if (!left.isEmpty() && Files.isDirectory(dir(cgroup, "freezer"))) {
            killAll(cgroup, Libc.SIGKILL);
            left = pids(cgroup);
        }
        long deadline = System.nanoTime() + KILL_TIMEOUT_MS * 1_000_000;
        for (; !left.isEmpty(); left = pids(cgroup)) {
            if (System.nanoTime() > deadline) {
                throw KeelException.unavailable("cannot remove the cgroup of container %s: processes %s are still in "
                        + "it %d ms after SIGKILL (uninterruptible sleep?); retry", cgroup.containerId(), left,
                        KILL_TIMEOUT_MS);
            }
            left.forEach(pid -> signal(pid, Libc.SIGKILL));
            pause(10);
        }
        for (Path dir : existing) {
            CgroupTrees.remove(dir);
        }
    }

    /** Starts the {@link MigrationWarmup} of this driver (the service does; tests of the driver need not). */
    public void startMigrationWarmup() {
        warmup = MigrationWarmup.start(hierarchies.mounts().get("freezer"), parent).orElse(null);
    }

    /** The warm-up's moves so far, or -1 without one (for tests). */
    long migrationWarmups() {
        MigrationWarmup w = warmup;
        return w == null ? -1 : w.moves();
    }

    /** The warm-up's moves while it lingered after kicks, or -1 without one (for tests). */
    long migrationBeats() {
        MigrationWarmup w = warmup;
        return w == null ? -1 : w.beats();
    }

    /** Stops it and removes its cgroup. */
    public void stopMigrationWarmup() {
        MigrationWarmup w = warmup;
        warmup = null;
        if (w != null) {
            w.close();
        }
    }

    /** Removes the parent cgroup from every hierarchy where no container is left in it (on deactivation). */
    public void removeEmptyParent() {
        hierarchies.mounts().values().stream().distinct()
                .forEach(mount -> keel.cgroup.base.CgroupParents.removeIfEmpty(mount, parent));
    }

    @Override
    public CgroupRecord adopt(CgroupRecord cgroup) {
        checkRecord(cgroup);
        requireExists(cgroup);
        return new CgroupRecord(cgroup.containerId(), VERSION, cgroup.paths());
    }

    @Override
    public CgroupRecord plan(String containerId) {
        checkName(containerId);
        return recordFor(containerId);
    }

    // ---------------------------------------------------------------- records and paths

    CgroupRecord recordFor(String containerId) {
        Map<String, String> paths = new LinkedHashMap<>();
        hierarchies.mounts().forEach((controller, mount) ->
                paths.put(controller, mount.resolve(parent).resolve(containerId).toString()));
        return new CgroupRecord(containerId, VERSION, paths);
    }

    /** Each hierarchy's root to the container's directory in it, once per hierarchy. */
    private static Map<Path, Path> dirsByMount(CgroupRecord record, Hierarchies hierarchies) {
        Map<Path, Path> byMount = new LinkedHashMap<>();
        record.paths().forEach((controller, path) -> byMount.put(hierarchies.mount(controller), Path.of(path)));
        return byMount;
    }

    private static Collection<Path> dirs(CgroupRecord record) {
        Set<Path> dirs = new LinkedHashSet<>();
        record.paths().values().forEach(path -> dirs.add(Path.of(path)));
        return dirs;
    }

    private static Path dir(CgroupRecord record, String controller) {
        String path = record.paths().get(controller);
        if (path == null) {
            throw KeelException.notFound("the cgroup record of container %s has no %s hierarchy", record.containerId(),
                    controller);
        }
        return Path.of(path);
    }

    private static void requireExists(CgroupRecord record) {
        for (Path dir : dirs(record)) {
            if (!Files.isDirectory(dir)) {
                throw KeelException.notFound("the cgroup of container %s is gone: %s does not exist",
                        record.containerId(), dir);
            }
        }
    }

    /**
     * A record comes back from the kernel's state store: before any path in it is used, check that
     * it is ours, a v1 record whose every directory is {@code <hierarchy>/.../<containerId>}.
     */
    void checkRecord(CgroupRecord record) {
        if (record == null) {
            throw KeelException.invalid("no cgroup record given");
        }
        checkName(record.containerId());
        if (!VERSION.equals(record.version())) {
            throw KeelException.invalid("cgroup record of container %s is for cgroup %s, not v1: the v1 driver cannot "
                    + "manage it", record.containerId(), record.version());
        }
        if (record.paths().isEmpty()) {
            throw KeelException.invalid("cgroup record of container %s has no paths", record.containerId());
        }
        record.paths().forEach((controller, text) -> {
            Path mount = hierarchies.mount(controller);
            Path path = Path.of(text);
            if (mount == null || !path.isAbsolute() || !path.normalize().equals(path) || !path.startsWith(mount)
                    || path.getNameCount() <= mount.getNameCount() + 1
                    || !path.getFileName().toString().equals(record.containerId())) {
                throw KeelException.invalid("cgroup record of container %s names %s for %s, which is not a container "
                        + "cgroup of this host's %s hierarchy", record.containerId(), text, controller, controller);
            }
        });
    }

    private static void checkName(String containerId) {
        if (containerId == null || !NAME.matcher(containerId).matches()) {
            throw KeelException.invalid("invalid container id '%s': expected 1-128 letters, digits, '_', '.', '-', "
                    + "starting with a letter or digit", containerId);
        }
    }

    private LimitsCheck.Host host() {
        Path cpuset = nearest(hierarchies.mount("cpuset").resolve(parent));
        CpuList cpus = CpuList.parse(ControlFiles.read(cpuset.resolve("cpuset.effective_cpus"))
                .or(() -> ControlFiles.read(cpuset.resolve("cpuset.cpus"))).orElse(""));
        CpuList mems = CpuList.parse(ControlFiles.read(cpuset.resolve("cpuset.effective_mems"))
                .or(() -> ControlFiles.read(cpuset.resolve("cpuset.mems"))).orElse(""));
        boolean swap = Files.exists(hierarchies.mount("memory").resolve("memory.memsw.limit_in_bytes"));
        return new LimitsCheck.Host(cpus, mems, swap);
    }

    /** The deepest existing directory on the way to {@code dir}. */
    private Path nearest(Path dir) {
        Path mount = hierarchies.mount("cpuset");
        while (!Files.isDirectory(dir) && dir.startsWith(mount) && !dir.equals(mount)) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while waiting for a cgroup");
        }
    }
}
