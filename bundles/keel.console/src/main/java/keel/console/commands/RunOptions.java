package keel.console.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.RestartPolicy;
import keel.api.container.SecurityOptions;
import keel.api.runtime.Resources;
import keel.api.runtime.Rlimit;
import keel.console.command.Arguments;
import keel.console.command.Option;

/** The options of {@code keel run} and {@code keel create}, and the container config they make. */
final class RunOptions {
    static final List<Option> OPTIONS = java.util.stream.Stream.concat(java.util.stream.Stream.of(
            Option.flag("detach", 'd', "run in the background and print the container id"),
            Option.flag("rm", (char) 0, "remove the container when it exits"),
            Option.value("name", (char) 0, "NAME", "the container's name"),
            Option.value("env", 'e', "K=V", "set an environment variable (repeatable)"),
            Option.value("env-file", (char) 0, "FILE", "read K=V lines from a file (repeatable)"),
            Option.value("workdir", 'w', "DIR", "working directory inside the container"),
            Option.value("user", 'u', "USER", "name|uid[:group|gid]"),
            Option.value("hostname", 'h', "NAME", "the container's hostname"),
            Option.flag("init", (char) 0, "run a minimal init as PID 1 (forwards signals, reaps zombies)"),
            Option.value("rootfs", (char) 0, "DIR", "run from this directory instead of an image"),
            Option.value("pull", (char) 0, "POLICY", "pull the image: missing (default: if absent), always, never"),
            Option.flag("interactive", 'i', "keep stdin open"),
            Option.flag("tty", 't', "allocate a pseudo-terminal"),
            Option.value("restart", (char) 0, "POLICY", "no, on-failure[:N], always, unless-stopped"),
            Option.value("network", (char) 0, "MODE", "bridge (default), none, host, container:CT, or a network's name"),
            Option.value("cap-add", (char) 0, "CAP", "add a capability (repeatable)"),
            Option.value("cap-drop", (char) 0, "CAP", "drop a capability (repeatable)"),
            Option.flag("privileged", (char) 0, "every capability, no seccomp, nothing masked"),
            Option.value("security-opt", (char) 0, "OPT",
                    "no-new-privileges[=true|false], seccomp=unconfined|FILE.json (repeatable)"),
            Option.value("ulimit", (char) 0, "TYPE=SOFT[:HARD]", "a resource limit, e.g. nofile=1024:2048 (repeatable)"),
            Option.value("stop-signal", (char) 0, "SIGNAL", "the signal keel stop sends first (default SIGTERM)"),
            Option.value("label", 'l', "K=V", "a label (repeatable)"),
            Option.value("publish", 'p', "[IP:]HOST:CTR[/tcp|udp]", "publish a container port (repeatable)"),
            Option.flag("publish-all", 'P', "publish every port the image exposes on a free host port"),
            Option.value("network-alias", (char) 0, "NAME", "a further name on a user-defined network (repeatable)"),
            Option.value("memory", 'm', "BYTES", "memory limit, e.g. 64m"),
            Option.value("memory-swap", (char) 0, "BYTES", "memory plus swap limit (-1 unlimited)"),
            Option.value("memory-reservation", (char) 0, "BYTES", "memory soft limit"),
            Option.flag("oom-kill-disable", (char) 0, "disable the OOM killer (cgroup v1)"),
            Option.value("cpus", (char) 0, "N", "CPUs, e.g. 0.5"),
            Option.value("cpu-shares", 'c', "N", "relative CPU weight (default 1024)"),
            Option.value("cpu-quota", (char) 0, "MICROS", "CPU time per period"),
            Option.value("cpu-period", (char) 0, "MICROS", "CPU period"),
            Option.value("cpuset-cpus", (char) 0, "LIST", "CPUs allowed, e.g. 0-1"),
            Option.value("cpuset-mems", (char) 0, "LIST", "memory nodes allowed"),
            Option.value("pids-limit", (char) 0, "N", "maximum number of processes"),
            Option.value("blkio-weight", (char) 0, "N", "block I/O weight, 10-1000")),
            MountOptions.OPTIONS.stream()).toList();

    private RunOptions() {
    }

    /** The config; {@code operands} are IMAGE [CMD...] or, with --rootfs, CMD... */
    static ContainerConfig config(Arguments a, Path cwd) {
        List<String> operands = a.operands();
        String rootfs = a.value("rootfs").map(r -> cwd.resolve(r).normalize().toString()).orElse(null);
        String image = null;
        List<String> cmd = operands;
        if (rootfs == null) {
            if (operands.isEmpty()) {
                throw KeelException.invalid("give an image or --rootfs DIR");
            }
            image = operands.get(0);
            cmd = operands.subList(1, operands.size());
        }
        boolean noNewPrivileges = true;
        String seccomp = null;
        for (String opt : a.all("security-opt")) {
            if (opt.equals("no-new-privileges") || opt.equals("no-new-privileges=true")
                    || opt.equals("no-new-privileges:true")) {
                noNewPrivileges = true;
            } else if (opt.equals("no-new-privileges=false") || opt.equals("no-new-privileges:false")) {
                noNewPrivileges = false;
            } else if (opt.startsWith("seccomp=") || opt.startsWith("seccomp:")) {
                String value = opt.substring("seccomp=".length());
                seccomp = value.equals("unconfined") ? value
                        : readFile(cwd.resolve(value).toString(), "--security-opt seccomp");
            } else {
                throw KeelException.invalid("unknown --security-opt '%s': use no-new-privileges[=false] or "
                        + "seccomp=unconfined|FILE.json", opt);
            }
        }
        return new ContainerConfig(a.value("name").orElse(null), image, rootfs, null, cmd.isEmpty() ? null : cmd,
                env(a, cwd), a.value("workdir").orElse(null), a.value("user").orElse(null), a.value("hostname").orElse(null),
                a.flag("tty"), a.flag("interactive"), a.flag("init"), a.flag("rm"),
                RestartPolicy.parse(a.value("restart").orElse("no")), resources(a), a.value("network").orElse(null),
                new SecurityOptions(a.all("cap-add"), a.all("cap-drop"), a.flag("privileged"), noNewPrivileges,
                        seccomp),
                ulimits(a), a.value("stop-signal").orElse(null), labels(a), ports(a), a.all("network-alias"),
                a.flag("publish-all"), MountOptions.mounts(a), a.flag("read-only"));
    }

    static List<String> env(Arguments a, Path cwd) {
        List<String> env = new ArrayList<>();
        for (String file : a.all("env-file")) {
            for (String line : readFile(cwd.resolve(file).toString(), "--env-file").split("\n")) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    env.add(t.contains("=") ? t : t + "=" + System.getenv().getOrDefault(t, ""));
                }
            }
        }
        env.addAll(a.all("env"));
        return env;
    }

    private static Map<String, String> labels(Arguments a) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String l : a.all("label")) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        return labels;
    }

    /** {@code -p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]} (HOSTPORT may be empty: a free port is chosen). */
    static List<keel.api.network.PortMapping> ports(Arguments a) {
        List<keel.api.network.PortMapping> ports = new ArrayList<>();
        for (String p : a.all("publish")) {
            String spec = p;
            String protocol = "tcp";
            int slash = spec.lastIndexOf('/');
            if (slash >= 0) {
                protocol = spec.substring(slash + 1);
                spec = spec.substring(0, slash);
            }
            String[] parts = spec.split(":", -1);
            if (!List.of("tcp", "udp").contains(protocol) || parts.length < 1 || parts.length > 3) {
                throw KeelException.invalid("invalid --publish '%s': use [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]", p);
            }
            String hostIp = parts.length == 3 ? parts[0] : null;
            String hostPort = parts.length >= 2 ? parts[parts.length - 2] : "";
            int container = port(parts[parts.length - 1], p);
            ports.add(new keel.api.network.PortMapping(hostIp, hostPort.isEmpty() ? 0 : port(hostPort, p), container,
                    protocol));
        }
        return ports;
    }

    private static int port(String text, String option) {
        try {
            int n = Integer.parseInt(text);
            if (n < 1 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw KeelException.invalid("invalid port '%s' in --publish %s: use 1-65535", text, option);
        }
    }

    static List<Rlimit> ulimits(Arguments a) {
        List<Rlimit> limits = new ArrayList<>();
        for (String u : a.all("ulimit")) {
            int eq = u.indexOf('=');
            if (eq <= 0) {
                throw KeelException.invalid("invalid --ulimit '%s': use TYPE=SOFT[:HARD], e.g. nofile=1024:2048", u);
            }
            String type = "RLIMIT_" + u.substring(0, eq).toUpperCase(Locale.ROOT);
            String[] values = u.substring(eq + 1).split(":", -1);
            long soft = number(values[0], "--ulimit " + u);
            long hard = values.length > 1 ? number(values[1], "--ulimit " + u) : soft;
            if (soft > hard) {
                throw KeelException.invalid("invalid --ulimit %s: the soft limit is above the hard limit", u);
            }
            limits.add(new Rlimit(type, hard, soft));
        }
        return limits;
    }

    static Resources resources(Arguments a) {
        Long memory = a.value("memory").map(v -> bytes(v, "--memory")).orElse(null);
        Long swap = a.value("memory-swap").map(v -> v.equals("-1") ? -1L : bytes(v, "--memory-swap")).orElse(null);
        Long reservation = a.value("memory-reservation").map(v -> bytes(v, "--memory-reservation")).orElse(null);
        Boolean oomDisable = a.flag("oom-kill-disable") ? Boolean.TRUE : null;
        Resources.Memory mem = memory == null && swap == null && reservation == null && oomDisable == null ? null
                : new Resources.Memory(memory, reservation, swap, oomDisable);
        Long quota = a.value("cpu-quota").map(v -> number(v, "--cpu-quota")).orElse(null);
        Long period = a.value("cpu-period").map(v -> number(v, "--cpu-period")).orElse(null);
        if (a.value("cpus").isPresent()) {
            if (quota != null || period != null) {
                throw KeelException.invalid("--cpus cannot be combined with --cpu-quota or --cpu-period");
            }
            double cpus;
            try {
                cpus = Double.parseDouble(a.value("cpus").get());
            } catch (NumberFormatException e) {
                throw KeelException.invalid("invalid --cpus '%s': expected a number such as 0.5", a.value("cpus").get());
            }
            if (cpus <= 0) {
                throw KeelException.invalid("invalid --cpus %s: it must be above 0", a.value("cpus").get());
            }
            period = 100_000L;
            quota = Math.round(cpus * period);
        }
        Long shares = a.value("cpu-shares").map(v -> number(v, "--cpu-shares")).orElse(null);
        String cpus = a.value("cpuset-cpus").orElse(null);
        String mems = a.value("cpuset-mems").orElse(null);
        Resources.Cpu cpu = quota == null && period == null && shares == null && cpus == null && mems == null ? null
                : new Resources.Cpu(shares, quota, period, cpus, mems);
        Long pids = a.value("pids-limit").map(v -> number(v, "--pids-limit")).orElse(null);
        Integer weight = a.value("blkio-weight").map(v -> (int) number(v, "--blkio-weight")).orElse(null);
        return new Resources(mem, cpu, pids, weight, List.of());
    }

    /** Docker's byte sizes: a number with an optional b, k, m, g suffix (powers of 1024). */
    static long bytes(String value, String flag) {
        String v = value.toLowerCase(Locale.ROOT).trim();
        long unit = 1;
        if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit > 1) {
                v = v.substring(0, v.length() - 1);
            }
        }
        try {
            double n = Double.parseDouble(v);
            if (n < 0 || Double.isNaN(n)) {
                throw new NumberFormatException();
            }
            return (long) (n * unit);
        } catch (NumberFormatException e) {
            throw KeelException.invalid("invalid %s '%s': expected a size such as 512k, 64m or 1g", flag, value);
        }
    }

    static long number(String value, String flag) {
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                throw KeelException.invalid("invalid %s %s: it must not be negative", flag, value);
            }
            return n;
        } catch (NumberFormatException e) {
            if (value.trim().equals("unlimited") && flag.startsWith("--ulimit")) {
                return Long.MAX_VALUE;
            }
            throw KeelException.invalid("invalid %s '%s': expected a whole number", flag, value);
        }
    }

    private static String readFile(String file, String flag) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw KeelException.invalid("cannot read %s %s: %s", flag, file, e.getMessage());
        }
    }
}
