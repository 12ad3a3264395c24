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

    /**
     * Syscalls by name and the action for them; {@code errnoRet} applies to SCMP_ACT_ERRNO; the rule
     * applies only when every argument condition holds (none: always).
     */
    public record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {
        public Syscall {
            names = List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
        }

        public Syscall(List<String> names, String action, Integer errnoRet) {
            this(names, action, errnoRet, List.of());
        }
    }

    /**
     * A condition on argument {@code index}: {@code op} is one of SCMP_CMP_EQ, SCMP_CMP_NE,
     * SCMP_CMP_MASKED_EQ ((arg &amp; value) == valueTwo), ...
     */
    public record Arg(int index, long value, long valueTwo, String op) {
    }
}
