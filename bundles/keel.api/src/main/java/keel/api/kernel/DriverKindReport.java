package keel.api.kernel;

import java.util.List;
import java.util.Optional;

import keel.api.driver.DriverKind;

/**
 * One kind of driver as the kernel sees it.
 *
 * @param kind the kind
 * @param bound the provider calls go to now, if any
 * @param alternatives the other providers of the kind, each with the reason it is not bound
 * @param pinned the id chosen by {@code keel swap}, or empty when ranking decides
 */
public record DriverKindReport(DriverKind kind, Optional<DriverReport> bound, List<DriverReport> alternatives,
        Optional<String> pinned) {
    public DriverKindReport {
        alternatives = List.copyOf(alternatives);
    }
}
