package keel.kernel.containers;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import keel.api.cgroup.CgroupRecord;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerState;
import keel.api.isolation.ProcessRecord;
import keel.api.runtime.RuntimeSpec;

/**
 * Everything the kernel keeps about one container, as data only: what was asked, the spec built
 * from it, and the records the drivers returned (process, cgroup), so that any driver instance can
 * adopt the container. Persisted as {@code <root>/containers/<id>/container.json}.
 *
 * @param stateDir the runtime directory the isolation driver's supervisor uses
 * @param drivers the driver id of each kind that made the container's parts ({@code kind -> id})
 * @param image the image id it runs, or null (--rootfs)
 * @param snapshot its writable snapshot's key in the storage driver, or null (--rootfs)
 * @param rootfsMounts the mounts that make its root (from the storage driver), empty for --rootfs
 * @param network its network attachment (data from the network driver), or null
 * @param connections the further networks it was connected to ({@code keel network connect}), each with its
 *        attachment while it runs
 * @param mounts its binds, volumes and tmpfs mounts, resolved
 * @param leftCreationNetwork whether it was disconnected from the network it was created on
 *        ({@code keel network disconnect}): it is not attached there until connected again
 */
public record ContainerRecord(String id, String name, Instant created, ContainerConfig config, List<String> command,
        RuntimeSpec spec, String rootfs, String stateDir, String logPath, ContainerState state, ProcessRecord process,
        CgroupRecord cgroup, Map<String, String> drivers, String image, String snapshot,
        List<keel.api.runtime.Mount> rootfsMounts, keel.api.network.Attachment network,
        List<Connection> connections, List<keel.api.container.MountPoint> mounts, boolean leftCreationNetwork) {
    /**
     * A further network: its name, the aliases the container has there, its attachment (null while stopped).
     */
    public record Connection(String network, List<String> aliases, keel.api.network.Attachment attachment) {
        public Connection {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }

        Connection with(keel.api.network.Attachment newAttachment) {
            return new Connection(network, aliases, newAttachment);
        }
    }

    public ContainerRecord {
        connections = connections == null ? List.of() : List.copyOf(connections);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        command = List.copyOf(command);
        drivers = drivers == null ? Map.of() : Map.copyOf(drivers);
        rootfsMounts = rootfsMounts == null ? List.of() : List.copyOf(rootfsMounts);
    }

    ContainerRecord with(ContainerState newState) {
        return new ContainerRecord(id, name, created, config, command, spec, rootfs, stateDir, logPath, newState,
                process, cgroup, drivers, image, snapshot, rootfsMounts, network, connections, mounts, leftCreationNetwork);
    }

    ContainerRecord with(ContainerState newState, ProcessRecord newProcess, CgroupRecord newCgroup,
            Map<String, String> newDrivers) {
        return new ContainerRecord(id, name, created, config, command, spec, rootfs, stateDir, logPath, newState,
                newProcess, newCgroup, newDrivers, image, snapshot, rootfsMounts, network, connections, mounts, leftCreationNetwork);
    }

    ContainerRecord with(keel.api.network.Attachment newNetwork) {
        return new ContainerRecord(id, name, created, config, command, spec, rootfs, stateDir, logPath, state, process,
                cgroup, drivers, image, snapshot, rootfsMounts, newNetwork, connections, mounts, leftCreationNetwork);
    }

    ContainerRecord withConnections(List<Connection> newConnections) {
        return new ContainerRecord(id, name, created, config, command, spec, rootfs, stateDir, logPath, state, process,
                cgroup, drivers, image, snapshot, rootfsMounts, network, newConnections, mounts, leftCreationNetwork);
    }

    ContainerRecord withLeftCreationNetwork(boolean left) {
        return new ContainerRecord(id, name, created, config, command, spec, rootfs, stateDir, logPath, state, process,
                cgroup, drivers, image, snapshot, rootfsMounts, network, connections, mounts, left);
    }

    /** Whether its process exists as far as the record says: running or paused. */
    boolean isLive() {
        return state.status().isLive();
    }

    ContainerInfo info() {
        return new ContainerInfo(id, name, created, config, command, state, rootfs, logPath,
                drivers.entrySet().stream().map(e -> e.getKey() + "/" + e.getValue()).sorted().toList(), mounts,
                image);
    }
}
