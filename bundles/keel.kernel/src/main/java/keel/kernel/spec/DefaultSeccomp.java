package keel.kernel.spec;

import java.util.List;

import keel.api.runtime.Seccomp;

/**
 * The default seccomp profile: the same intent as Docker's — a container cannot load modules,
 * mount, reboot, change the clock, use keyrings or bpf, kexec, trace other processes' memory, or
 * make new namespaces — written as a deny list (everything else allowed) that is short enough to
 * read. clone3 answers ENOSYS so that libc falls back to clone, which is refused (EPERM) when its
 * flags ask for a new namespace.
 */
public final class DefaultSeccomp {
    static final List<String> DENIED = List.of(
            // kernel modules, kexec, reboot, swap, accounting
            "init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms",
            "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct",
            // filesystems and mounts
            "mount", "umount2", "pivot_root", "mount_setattr", "move_mount", "open_tree", "fsopen", "fsconfig",
            "fsmount", "fspick", "quotactl", "quotactl_fd", "nfsservctl", "sysfs", "_sysctl", "ustat", "uselib",
            "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "fanotify_init",
            // namespaces
            "unshare", "setns",
            // clock
            "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
            // keyrings, bpf, perf, tracing other processes
            "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "kcmp",
            "process_vm_readv", "process_vm_writev", "ptrace", "personality",
            // raw hardware access, syslog
            "iopl", "ioperm", "syslog", "vm86", "vm86old",
            // io_uring bypasses the syscall filter
            "io_uring_setup", "io_uring_enter", "io_uring_register");

    /** The errno for denied calls. */
    public static final int EPERM = 1;
    public static final int ENOSYS = 38;

    private DefaultSeccomp() {
    }

    public static Seccomp profile() {
        return new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), List.of(
                new Seccomp.Syscall(DENIED, "SCMP_ACT_ERRNO", EPERM),
                new Seccomp.Syscall(List.of("clone3"), "SCMP_ACT_ERRNO", ENOSYS),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x00020000)),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x02000000)),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x04000000)),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x08000000)),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x10000000)),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x20000000)),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", EPERM, cloneNamespaceFlag(0x40000000))));
    }

    /** clone's flags (argument 0 on x86_64) include {@code flag}: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
    private static List<Seccomp.Arg> cloneNamespaceFlag(long flag) {
        return List.of(new Seccomp.Arg(0, flag, flag, "SCMP_CMP_MASKED_EQ"));
    }
}
