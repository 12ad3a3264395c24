package keel.network.cni;

import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkDriver;
import keel.api.network.NetworkRecord;

/**
 * The CNI network driver as a service: a thin component over {@link CniDriver}. Settings come from
 * its configuration (PID {@code keel.network.cni}), else framework properties of the same names
 * (see {@link CniSettings#from}). Ranked below the bridge driver, which stays the default unless
 * {@code keel swap network cni} pins this one. Activation fails, with the reason {@code keel
 * drivers} shows, when a plugin or iptables is missing.
 */
@Component(immediate = true, service = NetworkDriver.class, configurationPid = CniSettings.PID)
@KeelDriver(id = CniDriver.ID)
@ServiceRanking(-10)
public class CniComponent implements NetworkDriver {
    private final CniDriver driver;

    @Activate
    public CniComponent(BundleContext context, Map<String, Object> config) {
        this.driver = new CniDriver(CniSettings.from(config, context::getProperty));
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
