package keel.api.container;

import java.time.Instant;
import java.util.List;

/**
 * A container as {@code keel ps} and {@code keel inspect} show it.
 *
 * @param id the 64-hex id
 * @param name its name
 * @param created when it was created
 * @param config what was asked for
 * @param command the command it runs, resolved (entrypoint + cmd)
 * @param state its state
 * @param rootfs the root filesystem directory on the host
 * @param logPath its json-file log
 * @param drivers which driver of each kind manages it, {@code kind/id}
 * @param mounts its binds, volumes and tmpfs mounts, resolved
 * @param image the id ({@code sha256:...}) of the image it was created from, null for {@code --rootfs}
 *        (since 1.2)
 */
public record ContainerInfo(String id, String name, Instant created, ContainerConfig config, List<String> command,
        ContainerState state, String rootfs, String logPath, List<String> drivers, List<MountPoint> mounts,
        String image) {
    public ContainerInfo {
        command = List.copyOf(command);
        drivers = List.copyOf(drivers);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /** The form of version 1.1 (no image id). */
    public ContainerInfo(String id, String name, Instant created, ContainerConfig config, List<String> command,
            ContainerState state, String rootfs, String logPath, List<String> drivers, List<MountPoint> mounts) {
        this(id, name, created, config, command, state, rootfs, logPath, drivers, mounts, null);
    }

    /** The form of version 1.0 (no mounts). */
    public ContainerInfo(String id, String name, Instant created, ContainerConfig config, List<String> command,
            ContainerState state, String rootfs, String logPath, List<String> drivers) {
        this(id, name, created, config, command, state, rootfs, logPath, drivers, List.of(), null);
    }

    /** The first 12 hex digits, as docker shows ids. */
    public String shortId() {
        return id.substring(0, 12);
    }
}
