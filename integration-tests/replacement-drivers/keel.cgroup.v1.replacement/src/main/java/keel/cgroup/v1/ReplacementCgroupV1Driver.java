package keel.cgroup.v1;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.cgroup.CgroupDriver;

/**
 * The {@code v1} cgroup driver of {@link CgroupV1Component}, in another bundle and ranked above it:
 * a replacement that, installed beside the plugin, is bound at once and adopts its containers (same
 * driver id), so the plugin can then be uninstalled (SwapUnderLoadTest).
 */
@Component(immediate = true, service = CgroupDriver.class)
@KeelDriver(id = "v1")
@ServiceRanking(100)
public class ReplacementCgroupV1Driver extends CgroupV1Component {

    @Activate
    public ReplacementCgroupV1Driver(BundleContext context) {
        super(context);
    }
}
