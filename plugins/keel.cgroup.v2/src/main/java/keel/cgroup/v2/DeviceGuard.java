package keel.cgroup.v2;

import java.nio.file.Path;

import keel.cgroup.base.DeviceRules;

/**
 * Enforces device rules on a cgroup2 directory: on a real host an eBPF program ({@link #BPF}); the
 * file-format tests give one that records, as their plain directory cannot hold a program.
 */
@FunctionalInterface
interface DeviceGuard {
    void apply(Path cgroup, DeviceRules rules);

    /**
     * Loads the compiled rules, attaches them with BPF_F_ALLOW_MULTI, then detaches the programs that
     * were there before (as runc does): while both are attached a request must pass both, so there is
     * never a moment with more access than either rule set gives.
     */
    DeviceGuard BPF = (cgroup, rules) -> {
        int dir = open(cgroup);
        try {
            int[] before = Bpf.query(dir);
            int program = Bpf.load(DeviceFilter.encode(DeviceFilter.compile(rules)), DeviceFilter.LICENSE);
            try {
                Bpf.attach(dir, program);
            } finally {
                Libc.C.close(program);
            }
            for (int id : before) {
                int old;
                try {
                    old = Bpf.programById(id);
                } catch (com.sun.jna.LastErrorException e) {
                    continue; // gone meanwhile, or hidden from us by an LSM: it can only restrict more
                }
                try {
                    Bpf.detach(dir, old);
                } finally {
                    Libc.C.close(old);
                }
            }
        } catch (com.sun.jna.LastErrorException e) {
            throw keel.api.KeelException.internal("cannot attach the eBPF device program to " + cgroup + " (errno "
                    + e.getErrorCode() + ")", e);
        } finally {
            Libc.C.close(dir);
        }
    };

    /** An O_DIRECTORY descriptor of the cgroup, as BPF_PROG_ATTACH takes it. */
    static int open(Path cgroup) {
        try {
            return Libc.C.open(cgroup.toString(), Libc.O_RDONLY | Libc.oDirectory() | Libc.O_CLOEXEC);
        } catch (com.sun.jna.LastErrorException e) {
            throw keel.api.KeelException.notFound("cannot open cgroup %s (errno %d)", cgroup, e.getErrorCode());
        }
    }
}
