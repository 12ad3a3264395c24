package keel.api.driver;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What every driver service has in common. A driver registers under its kind's interface (which
 * extends this one) with the {@link KeelDriver} properties and, optionally, {@code service.ranking}.
 *
 * <p>Drivers return data, never handles: everything the kernel needs to find a container's
 * process, cgroup, mounts or interfaces again is in the records they return, so that another
 * instance of the driver (a new bundle version, another provider) can adopt it.
 */
@ConsumerType
public interface Driver {

    /**
     * Facts about the host as this driver sees it, for {@code keel info} and {@code keel drivers
     * probe}: e.g. {@code cgroup.version=v1}, {@code backing.filesystem=ext4}. Cheap and without
     * side effects; a driver that finds the host unusable throws a {@link keel.api.KeelException}
     * naming what is missing.
     */
    Map<String, String> describe();
}
