package keel.storage.copy;

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
 * The copy storage driver as a DS component: a {@link Snapshotter} over a {@link CopyLayout} in
 * {@code <keel.root>/storage.copy}. It runs on any filesystem; ranked below overlay, it is the one
 * bound where overlay cannot activate, or after {@code keel swap storage copy}.
 */
@Component(immediate = true, service = StorageDriver.class)
@KeelDriver(id = CopyLayout.ID)
@ServiceRanking(0)
public class CopyDriver extends Snapshotter {

    @Activate
    public CopyDriver(BundleContext context) {
        super(root(context), new CopyLayout());
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
