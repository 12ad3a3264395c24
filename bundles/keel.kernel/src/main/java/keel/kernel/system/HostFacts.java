package keel.kernel.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Facts read from the host's /proc and /etc, each in one place. */
public final class HostFacts {
    private HostFacts() {
    }

    public static String kernelVersion() {
        return firstLine(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version"));
    }

    public static String operatingSystem() {
        for (String line : lines(Path.of("/etc/os-release"))) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return System.getProperty("os.name");
    }

    public static long memoryBytes() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * {@code v2} when cgroup2 is mounted at /sys/fs/cgroup, {@code v1} when only v1 hierarchies are,
     * {@code hybrid} when v1 hierarchies sit beside a cgroup2 mount (as on this project's test hosts).
     */
    public static String cgroupVersion() {
        return cgroupVersion(lines(Path.of("/proc/self/mountinfo")));
    }

    static String cgroupVersion(List<String> mountinfo) {
        boolean v1 = false;
        boolean v2 = false;
        boolean unifiedRoot = false;
        for (String line : mountinfo) {
            String[] parts = line.split(" - ", 2);
            if (parts.length < 2) {
                continue;
            }
            String fsType = parts[1].split(" ")[0];
            String mountPoint = parts[0].split(" ")[4];
            if (fsType.equals("cgroup2")) {
                v2 = true;
                unifiedRoot |= mountPoint.equals("/sys/fs/cgroup");
            } else if (fsType.equals("cgroup")) {
                v1 = true;
            }
        }
        if (unifiedRoot && !v1) {
            return "v2";
        }
        if (v1) {
            return v2 ? "hybrid" : "v1";
        }
        return v2 ? "v2" : "none";
    }

    /** {@link #cgroupV1Controllers()}, read at its first call. */
    private static volatile List<String> v1Controllers;

    /**
     * The v1 hierarchies mounted under /sys/fs/cgroup, by their directory names (e.g. memory,
     * cpu,cpuacct, pids); empty on a cgroup2-only host. Read once per daemon: a host mounts its
     * hierarchies at boot, and every container's spec asks (the whole mountinfo, which grows with
     * the host's mounts, was a third of the daemon's CPU per {@code run}); a remount is seen after
     * a daemon restart.
     */
    public static List<String> cgroupV1Controllers() {
        List<String> known = v1Controllers;
        if (known == null) {
            known = List.copyOf(cgroupV1Controllers(lines(Path.of("/proc/self/mountinfo"))));
            v1Controllers = known;
        }
        return known;
    }

    static List<String> cgroupV1Controllers(List<String> mountinfo) {
        List<String> controllers = new java.util.ArrayList<>();
        for (String line : mountinfo) {
            if (!line.contains(" - cgroup ")) {
                continue;
            }
            String[] parts = line.split(" - ", 2);
            if (parts.length < 2 || !parts[1].startsWith("cgroup ")) {
                continue;
            }
            String mountPoint = parts[0].split(" ")[4];
            String[] superOptions = parts[1].split(" ");
            boolean named = superOptions.length > 2 && superOptions[2].contains("name=");
            if (mountPoint.startsWith("/sys/fs/cgroup/") && !named) {
                controllers.add(mountPoint.substring("/sys/fs/cgroup/".length()));
            }
        }
        return controllers;
    }

    /**
     * The daemon's own hard limit for an rlimit such as RLIMIT_NOFILE, from /proc/self/limits (a
     * container's limits may not exceed it: without CAP_SYS_RESOURCE the kernel refuses).
     */
    public static long hardLimit(String rlimit) {
        String label = switch (rlimit) {
            case "RLIMIT_CPU" -> "Max cpu time";
            case "RLIMIT_FSIZE" -> "Max file size";
            case "RLIMIT_DATA" -> "Max data size";
            case "RLIMIT_STACK" -> "Max stack size";
            case "RLIMIT_CORE" -> "Max core file size";
            case "RLIMIT_RSS" -> "Max resident set";
            case "RLIMIT_NPROC" -> "Max processes";
            case "RLIMIT_NOFILE" -> "Max open files";
            case "RLIMIT_MEMLOCK" -> "Max locked memory";
            case "RLIMIT_AS" -> "Max address space";
            case "RLIMIT_LOCKS" -> "Max file locks";
            case "RLIMIT_SIGPENDING" -> "Max pending signals";
            case "RLIMIT_MSGQUEUE" -> "Max msgqueue size";
            case "RLIMIT_NICE" -> "Max nice priority";
            case "RLIMIT_RTPRIO" -> "Max realtime priority";
            case "RLIMIT_RTTIME" -> "Max realtime timeout";
            default -> throw keel.api.KeelException.invalid("unknown ulimit %s", rlimit.substring(7).toLowerCase());
        };
        for (String line : lines(Path.of("/proc/self/limits"))) {
            if (line.startsWith(label)) {
                String hard = line.substring(label.length()).trim().split("\\s+")[1];
                return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
            }
        }
        return Long.MAX_VALUE;
    }

    private static String firstLine(Path file, String fallback) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? fallback : lines.get(0).trim();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
