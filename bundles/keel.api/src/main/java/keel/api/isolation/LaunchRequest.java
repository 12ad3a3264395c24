package keel.api.isolation;

import java.util.List;

import keel.api.runtime.Mount;
import keel.api.runtime.RuntimeSpec;

/**
 * What an isolation driver needs to start a container.
 *
 * @param containerId the container
 * @param spec the OCI-shaped configuration; {@code spec.root().path()} is where the root is mounted
 * @param rootfs the mounts that make the root filesystem (from the snapshotter), or empty when
 *        {@code spec.root().path()} is already a directory to use as it is
 * @param stateDir the kernel's runtime directory for this container
 * @param stdio where its standard streams go
 */
public record LaunchRequest(String containerId, RuntimeSpec spec, List<Mount> rootfs, String stateDir, Stdio stdio) {
    public LaunchRequest {
        rootfs = List.copyOf(rootfs);
    }
}
