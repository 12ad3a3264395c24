package keel.api.driver;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * A driver's identity as service properties, for a Declarative Services component:
 * {@code @KeelDriver(id = "overlay")} sets {@code keel.driver.id=overlay}. The id is stable across
 * versions of one driver (its state lives under {@code <root>/<kind>.<id>/}); two providers of one
 * kind have different ids. Pair it with {@code @ServiceRanking} to be preferred.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface KeelDriver {
    String PREFIX_ = "keel.driver.";

    /** The service property that holds a driver's id. */
    String ID = "keel.driver.id";

    /** The driver's id: lower case letters, digits, '.', '-'; e.g. {@code overlay}, {@code v1}. */
    String id();
}
