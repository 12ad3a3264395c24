package keel.api.container;

import java.util.List;
import java.util.Map;

import keel.api.runtime.Resources;
import keel.api.runtime.Rlimit;

/**
 * What {@code keel create} and {@code keel run} ask for, before defaults and the image's
 * configuration are applied. Null means "not given".
 *
 * @param name the container's name, or null for a generated one
 * @param image the image reference, or null when {@code rootfs} is given
 * @param rootfs a directory to run from as it is ({@code --rootfs}), or null
 * @param entrypoint overrides the image's entrypoint
 * @param cmd the command (overrides the image's)
 * @param env {@code K=V} entries added to the image's
 * @param workingDir the working directory
 * @param user {@code name}, {@code uid}, {@code name:group} or {@code uid:gid}
 * @param hostname the hostname (default: the short id)
 * @param tty allocate a pseudo-terminal
 * @param openStdin keep stdin open
 * @param init run a minimal init as PID 1
 * @param autoRemove remove the container when it exits ({@code --rm})
 * @param restart the restart policy
 * @param resources cgroup limits
 * @param network {@code none}, {@code host}, {@code bridge}, a network name, or {@code container:CT}
 * @param security capabilities, privileges, seccomp
 * @param ulimits resource limits
 * @param stopSignal the signal {@code keel stop} sends first (default SIGTERM)
 * @param labels free-form labels
 * @param ports ports to publish ({@code -p})
 * @param networkAliases further names the container answers to on its (user-defined) network
 *        ({@code --network-alias})
 * @param publishAll publish every port the image exposes on a free host port ({@code -P})
 * @param mounts binds, volumes and tmpfs mounts ({@code -v}, {@code --mount}, {@code --tmpfs}), in order
 * @param readOnlyRootfs the root filesystem is read-only ({@code --read-only}); mounts stay as asked
 */
public record ContainerConfig(String name, String image, String rootfs, List<String> entrypoint, List<String> cmd,
        List<String> env, String workingDir, String user, String hostname, boolean tty, boolean openStdin,
        boolean init, boolean autoRemove, RestartPolicy restart, Resources resources, String network,
        SecurityOptions security, List<Rlimit> ulimits, String stopSignal, Map<String, String> labels,
        List<keel.api.network.PortMapping> ports, List<String> networkAliases, boolean publishAll,
        List<MountRequest> mounts, boolean readOnlyRootfs) {
    public ContainerConfig {
        networkAliases = networkAliases == null ? List.of() : List.copyOf(networkAliases);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        env = env == null ? List.of() : List.copyOf(env);
        ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        restart = restart == null ? RestartPolicy.NO : restart;
        security = security == null ? SecurityOptions.DEFAULT : security;
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** The form of version 1.0: no network aliases, no {@code -P}, no mounts, a writable root. */
    public ContainerConfig(String name, String image, String rootfs, List<String> entrypoint, List<String> cmd,
            List<String> env, String workingDir, String user, String hostname, boolean tty, boolean openStdin,
            boolean init, boolean autoRemove, RestartPolicy restart, Resources resources, String network,
            SecurityOptions security, List<Rlimit> ulimits, String stopSignal, Map<String, String> labels,
            List<keel.api.network.PortMapping> ports) {
        this(name, image, rootfs, entrypoint, cmd, env, workingDir, user, hostname, tty, openStdin, init, autoRemove,
                restart, resources, network, security, ulimits, stopSignal, labels, ports, List.of(), false, List.of(),
                false);
    }
}
