package keel.kernel.drivers;

import java.util.Map;
import java.util.Optional;

import keel.api.driver.DriverKind;

import keel.api.cgroup.CgroupDriver;
import keel.api.image.ImageFormat;
import keel.api.image.RegistryClient;
import keel.api.isolation.IsolationDriver;
import keel.api.layer.LayerUnpacker;
import keel.api.network.NetworkDriver;
import keel.api.storage.StorageDriver;

/**
 * The kernel's typed access to the bound driver of each kind (a service private to the kernel
 * bundle). Each call returns the driver bound now, or waits the configured bound and then fails
 * with a retryable error naming the kind. Callers use the result for one call and drop it.
 */
public interface Drivers {
    IsolationDriver isolation();

    CgroupDriver cgroup();

    StorageDriver storage();

    LayerUnpacker layer();

    ImageFormat image();

    RegistryClient registry();

    NetworkDriver network();

    /*
     * A container's parts (process, cgroup, snapshot, attachments) are handled by the driver that
     * made them, named by its id in the container's record: after an update of that driver's
     * bundle, its new revision; never another kind of driver bound meanwhile. A null id means the
     * bound driver. These wait the configured bound for a driver of that id.
     */

    IsolationDriver isolation(String id);

    CgroupDriver cgroup(String id);

    StorageDriver storage(String id);

    NetworkDriver network(String id);

    /** The isolation driver with {@code id} now (null: the bound one), without waiting (for sweeps). */
    Optional<IsolationDriver> registeredIsolation(String id);

    /** The cgroup driver with {@code id} now (null: the bound one), without waiting (for sweeps). */
    Optional<CgroupDriver> registeredCgroup(String id);

    /** The id of a driver this service handed out, while it is registered: what a record names. */
    Optional<String> idOf(DriverKind kind, Object driver);

    /** The id of the driver bound for {@code kind} now, if any. */
    Optional<String> boundId(DriverKind kind);

    /** The host facts of every bound driver by kind label, without waiting for kinds that have none. */
    Map<String, Map<String, String>> facts();
}
