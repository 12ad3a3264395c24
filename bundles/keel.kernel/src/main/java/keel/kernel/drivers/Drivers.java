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

    /** The bound isolation driver now, without waiting (for background sweeps). */
    Optional<IsolationDriver> boundIsolation();

    /** The bound cgroup driver now, without waiting (for background sweeps). */
    Optional<CgroupDriver> boundCgroup();

    /** The id of the driver bound for {@code kind} now, if any. */
    Optional<String> boundId(DriverKind kind);

    /** The host facts of every bound driver by kind label, without waiting for kinds that have none. */
    Map<String, Map<String, String>> facts();
}
