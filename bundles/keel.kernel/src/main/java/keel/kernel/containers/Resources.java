package keel.kernel.containers;

import keel.api.runtime.LinuxSpec;
import keel.api.runtime.RuntimeSpec;

/** Merging a limits update ({@code keel update}) into what a container had: given parts replace. */
final class Resources {
    private Resources() {
    }

    static keel.api.runtime.Resources merge(keel.api.runtime.Resources old, keel.api.runtime.Resources update) {
        if (old == null) {
            return update;
        }
        if (update == null) {
            return old;
        }
        keel.api.runtime.Resources.Memory m = old.memory();
        keel.api.runtime.Resources.Memory u = update.memory();
        keel.api.runtime.Resources.Memory memory = u == null ? m : m == null ? u
                : new keel.api.runtime.Resources.Memory(pick(u.limit(), m.limit()),
                        pick(u.reservation(), m.reservation()), pick(u.swap(), m.swap()),
                        pick(u.disableOomKiller(), m.disableOomKiller()));
        keel.api.runtime.Resources.Cpu c = old.cpu();
        keel.api.runtime.Resources.Cpu v = update.cpu();
        keel.api.runtime.Resources.Cpu cpu = v == null ? c : c == null ? v
                : new keel.api.runtime.Resources.Cpu(pick(v.shares(), c.shares()), pick(v.quota(), c.quota()),
                        pick(v.period(), c.period()), pick(v.cpus(), c.cpus()), pick(v.mems(), c.mems()));
        return new keel.api.runtime.Resources(memory, cpu, pick(update.pidsLimit(), old.pidsLimit()),
                pick(update.blkioWeight(), old.blkioWeight()),
                update.devices().isEmpty() ? old.devices() : update.devices());
    }

    static RuntimeSpec withSpec(RuntimeSpec spec, keel.api.runtime.Resources resources) {
        LinuxSpec l = spec.linux();
        return new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.mounts(),
                new LinuxSpec(l.namespaces(), resources, l.cgroupsPath(), l.maskedPaths(), l.readonlyPaths(),
                        l.seccomp(), l.devices(), l.sysctl()), spec.annotations());
    }

    private static <T> T pick(T update, T old) {
        return update != null ? update : old;
    }
}
