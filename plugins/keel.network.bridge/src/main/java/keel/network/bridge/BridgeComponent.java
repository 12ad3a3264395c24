package keel.network.bridge;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import keel.api.driver.KeelDriver;
import keel.api.network.NetworkDriver;

/**
 * The bridge network driver as a service: a thin component over {@link BridgeDriver}, with its
 * state in {@code <keel.root>/network.bridge/} (keel.root: framework property, default
 * /var/lib/keel). Activation fails, with the reason {@code keel drivers} shows, on a host without
 * nft or rtnetlink.
 */
@Component(immediate = true, service = NetworkDriver.class)
@KeelDriver(id = BridgeDriver.ID)
public class BridgeComponent extends BridgeDriver {

    @Activate
    public BridgeComponent(BundleContext context) {
        super(BridgeDriver.settings(context.getProperty("keel.root")));
        probe();
    }
}
