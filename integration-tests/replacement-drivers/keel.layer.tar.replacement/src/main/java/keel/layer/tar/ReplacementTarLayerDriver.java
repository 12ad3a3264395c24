package keel.layer.tar;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.layer.LayerUnpacker;

/**
 * The {@code tar} layer driver of {@link TarLayerDriver}, in another bundle and ranked above it: a
 * replacement that, installed beside the plugin, is bound at once and adopts its containers (same
 * driver id), so the plugin can then be uninstalled (SwapUnderLoadTest).
 */
@Component(immediate = true, service = LayerUnpacker.class)
@KeelDriver(id = "tar")
@ServiceRanking(100)
public class ReplacementTarLayerDriver extends TarLayerDriver {

    @Activate
    public ReplacementTarLayerDriver() {
        super();
    }
}
