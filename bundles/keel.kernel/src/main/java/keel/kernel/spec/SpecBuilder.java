package keel.kernel.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.MountPoint;
import keel.api.image.ImageConfig;
import keel.api.runtime.Capabilities;
import keel.api.runtime.Device;
import keel.api.runtime.LinuxSpec;
import keel.api.runtime.Mount;
import keel.api.runtime.Namespace;
import keel.api.runtime.ProcessSpec;
import keel.api.runtime.Root;
import keel.api.runtime.RuntimeSpec;
import keel.api.runtime.Seccomp;

/**
 * Turns what {@code keel create} asked for (and the image's defaults) into an OCI-shaped runtime
 * spec with the defaults Docker's daemon applies: the mounts of /proc, /dev, /sys, the masked
 * and read-only paths, the default devices and capabilities, no_new_privs and the default seccomp
 * profile. Validation that can fail does so here, before anything is created.
 */
public final class SpecBuilder {
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");
    static final List<Device> DEVICES = List.of(device("/dev/null", 1, 3), device("/dev/zero", 1, 5),
            device("/dev/full", 1, 7), device("/dev/random", 1, 8), device("/dev/urandom", 1, 9),
            device("/dev/tty", 5, 0));

    /** The spec and the command it runs. */
    public record Built(RuntimeSpec spec, List<String> command) {
    }

    /**
     * @param id the container id
     * @param config what was asked for
     * @param image the image's run defaults, or null (for --rootfs)
     * @param rootfs where the root filesystem is on the host
     * @param files the container's generated /etc/hostname, /etc/hosts, /etc/resolv.conf live here
     * @param cgroupV1Controllers the v1 hierarchies to show read-only in /sys/fs/cgroup (empty: cgroup2)
     */
    public static Built build(String id, ContainerConfig config, ImageConfig.RunConfig image, Path rootfs, Path files,
            List<String> cgroupV1Controllers) {
        return build(id, config, image, rootfs, files, cgroupV1Controllers, name -> UserResolver.readEtc(rootfs, name));
    }

    /** As above, with the container's /etc files read by {@code etc} (for roots that are not mounted yet). */
    public static Built build(String id, ContainerConfig config, ImageConfig.RunConfig image, Path rootfs, Path files,
            List<String> cgroupV1Controllers,
            java.util.function.Function<String, java.util.Optional<byte[]>> etc) {
        return build(id, config, image, rootfs, files, cgroupV1Controllers, etc, List.of());
    }

    /** As above, with the container's binds, volumes and tmpfs mounts (resolved: sources are host paths). */
    public static Built build(String id, ContainerConfig config, ImageConfig.RunConfig image, Path rootfs, Path files,
            List<String> cgroupV1Controllers, java.util.function.Function<String, java.util.Optional<byte[]>> etc,
            List<MountPoint> userMounts) {
        List<String> command = command(config, image);
        for (keel.api.runtime.Rlimit limit : config.ulimits()) {
            long max = keel.kernel.system.HostFacts.hardLimit(limit.type());
            if (limit.hard() > max) {
                throw KeelException.invalid("--ulimit %s=%d:%d is above the daemon's own hard limit %d, which a "
                        + "container cannot exceed here", limit.type().substring(7).toLowerCase(java.util.Locale.ROOT),
                        limit.soft(), limit.hard(), max);
            }
        }
        UserResolver.Resolved user = UserResolver.resolve(config.user() != null ? config.user()
                : image != null ? image.user() : null, etc);
        String hostname = config.hostname() != null ? config.hostname() : id.substring(0, 12);
        boolean privileged = config.security().privileged();
        List<String> caps = keel.kernel.spec.Capabilities.effective(config.security().capAdd(),
                config.security().capDrop(), privileged);
        ProcessSpec process = new ProcessSpec(config.tty(), user.user(), command,
                env(config, image, hostname, user.home()), workingDir(config, image),
                new Capabilities(caps, caps, List.of(), caps, List.of()), config.ulimits(),
                config.security().noNewPrivileges());
        Seccomp seccomp = privileged || "unconfined".equals(config.security().seccompProfile()) ? null
                : config.security().seccompProfile() == null ? DefaultSeccomp.profile()
                        : SeccompProfiles.parse(config.security().seccompProfile());
        LinuxSpec linux = new LinuxSpec(namespaces(config.network()), config.resources(), "keel/" + id,
                privileged ? List.of() : MASKED, privileged ? List.of() : READONLY, seccomp, DEVICES, Map.of());
        Map<String, String> annotations = config.init() ? Map.of(RuntimeSpec.ANNOTATION_INIT, "true") : Map.of();
        return new Built(new RuntimeSpec(RuntimeSpec.OCI_VERSION, process,
                new Root(rootfs.toString(), config.readOnlyRootfs()), hostname,
                withUserMounts(mounts(files, cgroupV1Controllers, privileged), userMounts), linux, annotations),
                command);
    }

    static List<String> command(ContainerConfig config, ImageConfig.RunConfig image) {
        List<String> entrypoint = config.entrypoint() != null ? config.entrypoint()
                : image != null ? image.entrypoint() : List.of();
        List<String> cmd = config.cmd() != null && !config.cmd().isEmpty() ? config.cmd()
                : config.entrypoint() == null && image != null ? image.cmd() : List.of();
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(cmd);
        if (command.isEmpty()) {
            throw KeelException.invalid("no command given: name one after the image or --rootfs DIR");
        }
        return command;
    }

    static String workingDir(ContainerConfig config, ImageConfig.RunConfig image) {
        String dir = config.workingDir() != null ? config.workingDir()
                : image != null && image.workingDir() != null && !image.workingDir().isEmpty() ? image.workingDir()
                        : "/";
        if (!dir.startsWith("/")) {
            throw KeelException.invalid("invalid working directory '%s' (-w): it must be absolute", dir);
        }
        if (dir.contains("\0")) {
            throw KeelException.invalid("invalid working directory: it contains a NUL byte");
        }
        return dir;
    }

    static List<String> env(ContainerConfig config, ImageConfig.RunConfig image, String hostname, String home) {
        Map<String, String> env = new LinkedHashMap<>();
        put(env, DEFAULT_PATH);
        put(env, "HOSTNAME=" + hostname);
        if (image != null) {
            image.env().forEach(e -> put(env, e));
        }
        for (String e : config.env()) {
            if (!e.contains("=") || e.startsWith("=")) {
                throw KeelException.invalid("invalid environment variable '%s' (-e): use KEY=VALUE", e);
            }
            put(env, e);
        }
        if (config.tty()) {
            env.putIfAbsent("TERM", "xterm");
        }
        env.putIfAbsent("HOME", home);
        List<String> list = new ArrayList<>();
        env.forEach((k, v) -> list.add(k + "=" + v));
        return list;
    }

    private static void put(Map<String, String> env, String entry) {
        int eq = entry.indexOf('=');
        env.put(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? "" : entry.substring(eq + 1));
    }

    static List<Namespace> namespaces(String network) {
        List<Namespace> namespaces = new ArrayList<>(List.of(new Namespace("pid", null), new Namespace("mount", null),
                new Namespace("uts", null), new Namespace("ipc", null), new Namespace("cgroup", null)));
        if (network == null || !network.equals("host")) {
            namespaces.add(new Namespace("network", null));
        }
        return namespaces;
    }

    static List<Mount> mounts(Path files, List<String> cgroupV1Controllers, boolean privileged) {
        List<Mount> mounts = new ArrayList<>(List.of(
                new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777",
                        "size=65536k")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", privileged ? List.of("nosuid", "noexec", "nodev")
                        : List.of("nosuid", "noexec", "nodev", "ro"))));
        if (cgroupV1Controllers.isEmpty()) {
            mounts.add(new Mount("/sys/fs/cgroup", "cgroup2", "cgroup2", List.of("nosuid", "noexec", "nodev", "ro")));
        } else {
            mounts.add(new Mount("/sys/fs/cgroup", "tmpfs", "tmpfs", List.of("nosuid", "noexec", "nodev", "mode=755")));
            for (String controller : cgroupV1Controllers) {
                mounts.add(new Mount("/sys/fs/cgroup/" + controller, "cgroup", "cgroup",
                        List.of("nosuid", "noexec", "nodev", "ro", controller)));
            }
        }
        for (String file : List.of("hostname", "hosts", "resolv.conf")) {
            mounts.add(new Mount("/etc/" + file, "bind", files.resolve(file).toString(), List.of("rbind", "rprivate")));
        }
        return mounts;
    }

    /**
     * Docker's order: the default mounts except those a user mount replaces (same destination),
     * then the user mounts, parents before children (by depth, else in the order given).
     */
    static List<Mount> withUserMounts(List<Mount> defaults, List<MountPoint> userMounts) {
        java.util.Set<String> replaced = new java.util.HashSet<>();
        userMounts.forEach(m -> replaced.add(m.destination()));
        List<Mount> mounts = new ArrayList<>(defaults.stream().filter(m -> !replaced.contains(m.destination()))
                .toList());
        userMounts.stream().sorted(java.util.Comparator.comparingLong(m -> m.destination().chars()
                .filter(c -> c == '/').count())).map(SpecBuilder::oci).forEach(mounts::add);
        return mounts;
    }

    /** A bind or volume is an rbind (read-only recursively with ro); a tmpfs is noexec, nosuid, nodev as Docker's. */
    static Mount oci(MountPoint m) {
        List<String> options = new ArrayList<>();
        if (m.type().equals(keel.api.container.MountRequest.TMPFS)) {
            options.addAll(List.of("nosuid", "nodev", "noexec"));
            if (!m.rw()) {
                options.add("ro");
            }
            options.addAll(m.options());
            return new Mount(m.destination(), "tmpfs", "tmpfs", options);
        }
        options.addAll(List.of("rbind", "rprivate"));
        if (!m.rw()) {
            options.add("ro");
        }
        return new Mount(m.destination(), "bind", m.source(), options);
    }

    private static Device device(String path, long major, long minor) {
        return new Device(path, "c", major, minor, 0666, 0, 0);
    }
}
