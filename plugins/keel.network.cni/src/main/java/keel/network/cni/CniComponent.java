package keel.network.cni;

import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.driver.KeelDriver;
import keel.api.network.NetworkDriver;

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
public class CniComponent extends CniDriver {

    @Activate
    public CniComponent(BundleContext context, Map<String, Object> config) {
        super(CniSettings.from(config, context::getProperty));
        probe();
    }
}
