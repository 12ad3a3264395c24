package keel.api.kernel;

/**
 * One provider of a driver kind.
 *
 * @param id the driver id ({@code keel.driver.id})
 * @param bundle the symbolic name of the bundle that provides it
 * @param bundleVersion that bundle's version
 * @param ranking its {@code service.ranking}
 * @param state bound, standing by, or not available
 * @param reason why it is in that state, in words for an operator (empty when bound)
 */
public record DriverReport(String id, String bundle, String bundleVersion, int ranking, DriverState state,
        String reason) {
}
