package keel.kernel.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import keel.api.KeelException;

/** Capability names: Docker's default set, every known capability, and --cap-add/--cap-drop. */
public final class Capabilities {
    /** Docker's default set of 14. */
    public static final List<String> DEFAULT = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Every capability, in bit order (capability.h). */
    public static final List<String> ALL = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private Capabilities() {
    }

    /** The set a container gets: the default (or all, privileged), plus adds, minus drops, as docker orders it. */
    public static List<String> effective(List<String> add, List<String> drop, boolean privileged) {
        if (privileged) {
            return ALL;
        }
        List<String> adds = normalise(add, "--cap-add");
        List<String> drops = normalise(drop, "--cap-drop");
        Set<String> caps = new LinkedHashSet<>(drops.contains("ALL") ? List.of() : DEFAULT);
        caps.addAll(adds.contains("ALL") ? ALL : adds);
        if (!drops.contains("ALL")) {
            drops.forEach(caps::remove);
        }
        return new ArrayList<>(caps);
    }

    private static List<String> normalise(List<String> names, String flag) {
        List<String> result = new ArrayList<>();
        for (String name : names) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.equals("ALL")) {
                result.add("ALL");
                continue;
            }
            String cap = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
            if (!ALL.contains(cap)) {
                throw KeelException.invalid("unknown capability '%s' in %s", name, flag);
            }
            result.add(cap);
        }
        return result;
    }
}
