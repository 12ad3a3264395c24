package keel.storage.overlay;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.storage.StorageDriver;
import keel.storage.base.Snapshotter;

/**
 * The overlay storage driver as a DS component: a {@link Snapshotter} over an {@link OverlayLayout}
 * in {@code <keel.root>/storage.overlay}. Activation fails, with the reason {@code keel drivers}
 * shows, where overlayfs does not work on that filesystem. Ranked above the copy driver.
 */
@Component(immediate = true, service = StorageDriver.class)
@KeelDriver(id = OverlayLayout.ID)
@ServiceRanking(10)
public class OverlayDriver extends Snapshotter {

    @Activate
    public OverlayDriver(BundleContext context) {
        super(root(context), new OverlayLayout());
    }

    static Path root(BundleContext context) {
        String root = context.getProperty("keel.root");
        return Path.of(root == null || root.isBlank() ? "/var/lib/keel" : root).toAbsolutePath();
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
