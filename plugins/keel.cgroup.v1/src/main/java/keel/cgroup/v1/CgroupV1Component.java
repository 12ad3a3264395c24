package keel.cgroup.v1;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.cgroup.CgroupDriver;
import keel.api.driver.KeelDriver;

/**
 * The v1 driver as a service. Framework properties: {@code keel.cgroup.v1.root} (default
 * {@code /sys/fs/cgroup}) and {@code keel.cgroup.parent} (default {@code keel}). Activation fails,
 * naming the missing hierarchies, on a host without cgroup v1 controllers. Ranked below v2, which
 * wins where the host has a usable unified hierarchy.
 */
@Component(immediate = true, service = CgroupDriver.class)
@KeelDriver(id = "v1")
@ServiceRanking(0)
public class CgroupV1Component extends CgroupV1Driver {

    @Activate
    public CgroupV1Component(BundleContext context) {
        super(Path.of(property(context, "keel.cgroup.v1.root", "/sys/fs/cgroup")),
                property(context, "keel.cgroup.parent", "keel"));
        if (!"false".equals(context.getProperty("keel.cgroup.v1.migration-warmup"))) {
            startMigrationWarmup();
        }
    }

    /** Leaves no empty parent cgroup behind when the daemon stops (or the bundle is updated). */
    @Deactivate
    void deactivate() {
        stopMigrationWarmup();
        removeEmptyParent();
    }

    private static String property(BundleContext context, String key, String fallback) {
        String value = context.getProperty(key);
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
