package keel.kernel.drivers;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import keel.api.driver.KeelDriver;

/** A service reference with an id, a ranking and a driver id, ordered as the OSGi spec orders them. */
record FakeReference(long serviceId, int ranking, String driverId) implements ServiceReference<Object> {

    @Override
    public Object getProperty(String key) {
        return switch (key) {
            case Constants.SERVICE_ID -> serviceId;
            case Constants.SERVICE_RANKING -> ranking;
            case KeelDriver.ID -> driverId;
            default -> null;
        };
    }

    @Override
    public String[] getPropertyKeys() {
        return new String[] {Constants.SERVICE_ID, Constants.SERVICE_RANKING, KeelDriver.ID};
    }

    @Override
    public Bundle getBundle() {
        return null;
    }

    @Override
    public Bundle[] getUsingBundles() {
        return null;
    }

    @Override
    public boolean isAssignableTo(Bundle bundle, String className) {
        return true;
    }

    /** Higher ranking is greater; at equal ranking the lower service id is greater. */
    @Override
    public int compareTo(Object other) {
        FakeReference o = (FakeReference) other;
        if (ranking != o.ranking) {
            return Integer.compare(ranking, o.ranking);
        }
        return Long.compare(o.serviceId, serviceId);
    }

    @Override
    public Dictionary<String, Object> getProperties() {
        return new Hashtable<>();
    }

    @Override
    public <A> A adapt(Class<A> type) {
        return null;
    }
}
