package keel.kernel.drivers;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import keel.api.driver.KeelDriver;

/**
 * One registered driver service: its reference (for ranking and the bundle), the service object
 * SCR handed the kernel, and its id. Held only while the service is registered.
 */
record Provider<D>(ServiceReference<?> reference, D service, String id) {

    static <D> Provider<D> of(ServiceReference<?> reference, D service) {
        Object id = reference.getProperty(KeelDriver.ID);
        return new Provider<>(reference, service, id == null ? "service-" + reference.getProperty(Constants.SERVICE_ID)
                : id.toString());
    }

    int ranking() {
        return reference.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    String bundleName() {
        Bundle bundle = reference.getBundle();
        return bundle == null ? "(unregistered)" : bundle.getSymbolicName();
    }

    String bundleVersion() {
        Bundle bundle = reference.getBundle();
        return bundle == null ? "" : bundle.getVersion().toString();
    }
}
