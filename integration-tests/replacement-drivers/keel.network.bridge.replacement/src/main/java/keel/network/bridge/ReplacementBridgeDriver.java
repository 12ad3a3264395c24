package keel.network.bridge;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.network.NetworkDriver;

/**
 * The {@code bridge} network driver of {@link BridgeComponent}, in another bundle and ranked above
 * it: a replacement that, installed beside the plugin, is bound at once and adopts its containers
 * (same driver id), so the plugin can then be uninstalled (SwapUnderLoadTest).
 */
@Component(immediate = true, service = NetworkDriver.class)
@KeelDriver(id = "bridge")
@ServiceRanking(100)
public class ReplacementBridgeDriver extends BridgeComponent {

    @Activate
    public ReplacementBridgeDriver(BundleContext context) {
        super(context);
    }
}
