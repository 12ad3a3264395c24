package keel.api.runtime;

import java.util.List;
import java.util.Map;

/**
 * Linux specifics (OCI {@code linux}).
 *
 * @param namespaces the namespaces to create or join
 * @param resources cgroup limits
 * @param cgroupsPath the cgroup path, relative to the driver's parent
 * @param maskedPaths paths made unreadable
 * @param readonlyPaths paths made read-only
 * @param seccomp the seccomp filter, or null for none
 * @param devices device nodes to create in /dev
 * @param sysctl kernel parameters to set in the container's namespaces
 */
public record LinuxSpec(List<Namespace> namespaces, Resources resources, String cgroupsPath, List<String> maskedPaths,
        List<String> readonlyPaths, Seccomp seccomp, List<Device> devices, Map<String, String> sysctl) {
    public LinuxSpec {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
        devices = devices == null ? List.of() : List.copyOf(devices);
        sysctl = sysctl == null ? Map.of() : Map.copyOf(sysctl);
    }
}
