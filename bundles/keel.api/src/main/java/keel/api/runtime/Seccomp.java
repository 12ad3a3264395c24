package keel.api.runtime;

import java.util.List;

/**
 * A seccomp filter (OCI {@code linux.seccomp}).
 *
 * @param defaultAction e.g. {@code SCMP_ACT_ALLOW} or {@code SCMP_ACT_ERRNO}
 * @param architectures e.g. {@code SCMP_ARCH_X86_64}
 * @param syscalls rules, in order
 */
public record Seccomp(String defaultAction, List<String> architectures, List<Syscall> syscalls) {
    public Seccomp {
        architectures = List.copyOf(architectures);
        syscalls = List.copyOf(syscalls);
    }

    /** Syscalls by name and the action for them; {@code errnoRet} applies to SCMP_ACT_ERRNO. */
    public record Syscall(List<String> names, String action, Integer errnoRet) {
        public Syscall {
            names = List.copyOf(names);
        }
    }
}
