package keel.example.storage;

import java.io.IOException;
import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.storage.StorageDriver;

/**
 * The DS component: registers an {@link ExampleSnapshotter} over {@code <keel.root>} as a
 * {@link StorageDriver} with id {@code example}. Ranked below Keel's own storage drivers, so
 * dropping it in changes nothing until an operator chooses it ({@code keel swap storage example});
 * when its bundle goes, the kernel binds the next driver. An exception from the constructor fails
 * activation, and {@code keel drivers} shows its message.
 */
@Component(immediate = true, service = StorageDriver.class)
@KeelDriver(id = ExampleSnapshotter.ID)
@ServiceRanking(-10)
public class ExampleStorageDriver extends ExampleSnapshotter {

    @Activate
    public ExampleStorageDriver(BundleContext context) throws IOException {
        super(Path.of(context.getProperty("keel.root") == null ? "/var/lib/keel" : context.getProperty("keel.root")));
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
