package keel.storage.overlay;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.storage.StorageDriver;

/**
 * The {@code overlay} storage driver of {@link OverlayDriver}, in another bundle and ranked above
 * it: a replacement that, installed beside the plugin, is bound at once and adopts its containers
 * (same driver id), so the plugin can then be uninstalled (SwapUnderLoadTest).
 */
@Component(immediate = true, service = StorageDriver.class)
@KeelDriver(id = "overlay")
@ServiceRanking(100)
public class ReplacementOverlayDriver extends OverlayDriver {

    @Activate
    public ReplacementOverlayDriver(BundleContext context) {
        super(context);
    }
}
