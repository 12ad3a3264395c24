package keel.kernel.containers;

import java.nio.file.Path;
import java.util.List;

import keel.api.runtime.LinuxSpec;
import keel.api.runtime.Mount;
import keel.api.runtime.Namespace;
import keel.api.runtime.RuntimeSpec;

/**
 * {@code --network container:CT}: the container joins CT's network namespace (resolved when it
 * starts, CT must run) and sees CT's /etc/hosts and /etc/resolv.conf, as Docker does.
 */
final class SharedNetns {
    private SharedNetns() {
    }

    /** The spec with the /etc/hosts and /etc/resolv.conf binds taken from {@code files} (the other container's). */
    static RuntimeSpec withFilesOf(RuntimeSpec spec, Path files) {
        List<Mount> mounts = spec.mounts().stream().map(m -> switch (m.destination()) {
            case "/etc/hosts" -> new Mount(m.destination(), m.type(), files.resolve("hosts").toString(), m.options());
            case "/etc/resolv.conf" -> new Mount(m.destination(), m.type(), files.resolve("resolv.conf").toString(),
                    m.options());
            default -> m;
        }).toList();
        return new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), mounts, spec.linux(),
                spec.annotations());
    }

    /** The spec joining the network namespace at {@code path} instead of making one. */
    static RuntimeSpec withNetnsOf(RuntimeSpec spec, String path) {
        LinuxSpec l = spec.linux();
        List<Namespace> namespaces = l.namespaces().stream()
                .map(n -> n.type().equals("network") ? new Namespace("network", path) : n).toList();
        return new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.mounts(),
                new LinuxSpec(namespaces, l.resources(), l.cgroupsPath(), l.maskedPaths(), l.readonlyPaths(),
                        l.seccomp(), l.devices(), l.sysctl()), spec.annotations());
    }
}
