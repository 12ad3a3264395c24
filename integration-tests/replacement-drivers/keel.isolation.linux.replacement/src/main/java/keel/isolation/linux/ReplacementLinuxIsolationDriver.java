package keel.isolation.linux;

import java.io.IOException;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.isolation.IsolationDriver;

/**
 * The {@code linux} isolation driver of {@link LinuxIsolationDriver}, in another bundle and ranked
 * above it: a replacement that, installed beside the plugin, is bound at once and adopts its
 * containers (same driver id), so the plugin can then be uninstalled (SwapUnderLoadTest).
 */
@Component(immediate = true, service = IsolationDriver.class)
@KeelDriver(id = "linux")
@ServiceRanking(100)
public class ReplacementLinuxIsolationDriver extends LinuxIsolationDriver {

    @Activate
    public ReplacementLinuxIsolationDriver(BundleContext context) throws IOException {
        super(context);
    }
}
