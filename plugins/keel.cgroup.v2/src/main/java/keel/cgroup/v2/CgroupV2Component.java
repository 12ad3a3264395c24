package keel.cgroup.v2;

import java.nio.file.Path;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.cgroup.CgroupDriver;
import keel.api.driver.KeelDriver;

/**
 * The v2 driver as a service. Framework properties: {@code keel.cgroup.v2.root} (default
 * {@code /sys/fs/cgroup}) and {@code keel.cgroup.parent} (default {@code keel}). Activation fails,
 * naming what is missing, unless the root is a cgroup2 hierarchy with the memory, cpu and pids
 * controllers (a hybrid host's /sys/fs/cgroup/unified with only hugetlb is not usable). Ranked
 * above v1: where both can run, v2 is the one runc and crun would use.
 */
@Component(immediate = true, service = CgroupDriver.class)
@KeelDriver(id = "v2")
@ServiceRanking(10)
public class CgroupV2Component extends CgroupV2Driver {

    @Activate
    public CgroupV2Component(BundleContext context) {
        super(Path.of(property(context, "keel.cgroup.v2.root", "/sys/fs/cgroup")),
                property(context, "keel.cgroup.parent", "keel"));
        requireControllers(List.of("memory", "cpu", "pids"));
    }

    private static String property(BundleContext context, String key, String fallback) {
        String value = context.getProperty(key);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /** Leaves no empty parent cgroup behind when the daemon stops (or the bundle is updated). */
    @Deactivate
    void deactivate() {
        removeEmptyParent();
    }
}
