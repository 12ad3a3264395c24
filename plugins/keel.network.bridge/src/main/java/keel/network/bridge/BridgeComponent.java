package keel.network.bridge;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import keel.api.driver.KeelDriver;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkDriver;
import keel.api.network.NetworkRecord;

/**
 * The bridge network driver as a service: a thin component over {@link BridgeDriver}, with its
 * state in {@code <keel.root>/network.bridge/} (keel.root: framework property, default
 * /var/lib/keel). Activation fails, with the reason {@code keel drivers} shows, on a host without
 * nft or rtnetlink.
 */
@Component(immediate = true, service = NetworkDriver.class)
@KeelDriver(id = BridgeDriver.ID)
public class BridgeComponent implements NetworkDriver {
    private final BridgeDriver driver;

    @Activate
    public BridgeComponent(BundleContext context) {
        String root = context.getProperty("keel.root");
        Path state = Path.of(root == null ? "/var/lib/keel" : root).resolve("network." + BridgeDriver.ID);
        this.driver = new BridgeDriver(BridgeSettings.defaults(state));
        driver.probe();
    }

    @Override
    public Map<String, String> describe() {
        return driver.describe();
    }

    @Override
    public NetworkRecord create(NetworkConfig config) {
        return driver.create(config);
    }

    @Override
    public void delete(NetworkRecord network) {
        driver.delete(network);
    }

    @Override
    public Attachment attach(NetworkRecord network, AttachRequest request) {
        return driver.attach(network, request);
    }

    @Override
    public void detach(Attachment attachment) {
        driver.detach(attachment);
    }

    @Override
    public void check(Attachment attachment) {
        driver.check(attachment);
    }

    @Override
    public Attachment adopt(Attachment attachment) {
        return driver.adopt(attachment);
    }
}
