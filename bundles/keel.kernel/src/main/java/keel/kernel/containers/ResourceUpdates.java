package keel.kernel.containers;

import keel.api.runtime.LinuxSpec;
import keel.api.runtime.Resources;
import keel.api.runtime.RuntimeSpec;

/** Merging a limits update ({@code keel update}) into what a container had: given parts replace. */
final class ResourceUpdates {
    private ResourceUpdates() {
    }

    static Resources merge(Resources old, Resources update) {
        if (old == null) {
            return update;
        }
        if (update == null) {
            return old;
        }
        Resources.Memory m = old.memory();
        Resources.Memory u = update.memory();
        Resources.Memory memory = u == null ? m : m == null ? u
                : new Resources.Memory(pick(u.limit(), m.limit()),
                        pick(u.reservation(), m.reservation()), pick(u.swap(), m.swap()),
                        pick(u.disableOomKiller(), m.disableOomKiller()));
        Resources.Cpu c = old.cpu();
        Resources.Cpu v = update.cpu();
        Resources.Cpu cpu = v == null ? c : c == null ? v
                : new Resources.Cpu(pick(v.shares(), c.shares()), pick(v.quota(), c.quota()),
                        pick(v.period(), c.period()), pick(v.cpus(), c.cpus()), pick(v.mems(), c.mems()));
        return new Resources(memory, cpu, pick(update.pidsLimit(), old.pidsLimit()),
                pick(update.blkioWeight(), old.blkioWeight()),
                update.devices().isEmpty() ? old.devices() : update.devices());
    }

    static RuntimeSpec withSpec(RuntimeSpec spec, Resources resources) {
        LinuxSpec l = spec.linux();
        return new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.mounts(),
                new LinuxSpec(l.namespaces(), resources, l.cgroupsPath(), l.maskedPaths(), l.readonlyPaths(),
                        l.seccomp(), l.devices(), l.sysctl()), spec.annotations());
    }

    private static <T> T pick(T update, T old) {
        return update != null ? update : old;
    }
}
