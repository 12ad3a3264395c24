package keel.isolation.linux.shim;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The kernel's numbers that {@link ShimMessage} records carry (x86_64 Linux): mount flags,
 * namespace clone flags, capability bits and rlimit resources by their OCI names.
 */
public final class LinuxAbi {

    // mount(2) flags
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
            MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
            MS_UNBINDABLE = 1L << 17, MS_PRIVATE = 1L << 18, MS_SLAVE = 1L << 19, MS_SHARED = 1L << 20,
            MS_RELATIME = 1L << 21, MS_STRICTATIME = 1L << 24;

    // clone(2) namespace flags
    public static final int CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
            CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000,
            CLONE_NEWNET = 0x40000000;

    /** Capability names by bit number (linux/capability.h). */
    static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** RLIMIT_* names by resource number (sys/resource.h). */
    static final List<String> RLIMITS = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
            "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
            "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    private LinuxAbi() {
    }

    /** The bit mask of capabilities named like {@code CAP_CHOWN} (or {@code chown}). */
    public static long capabilities(Collection<String> names) {
        long mask = 0;
        for (String name : names) {
            String n = name.toUpperCase(Locale.ROOT);
            int bit = CAPABILITIES.indexOf(n.startsWith("CAP_") ? n : "CAP_" + n);
            if (bit < 0) {
                throw new IllegalArgumentException("unknown capability " + name);
            }
            mask |= 1L << bit;
        }
        return mask;
    }

    /** The resource number of an rlimit named like {@code RLIMIT_NOFILE}. */
    public static int rlimit(String name) {
        int r = RLIMITS.indexOf(name.toUpperCase(Locale.ROOT));
        if (r < 0) {
            throw new IllegalArgumentException("unknown rlimit " + name);
        }
        return r;
    }
}
