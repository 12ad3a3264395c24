/**
 * What every driver has in common: the {@link keel.api.driver.Driver} base contract, the kinds, and the {@link keel.api.driver.KeelDriver} identity properties.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package keel.api.driver;
