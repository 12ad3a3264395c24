package keel.api.kernel;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened, as {@code keel events} shows it (docker's event shape).
 *
 * @param time when
 * @param type what kind of object: {@code container}, {@code image}, {@code driver}, {@code daemon}, ...
 * @param action what happened to it: {@code create}, {@code start}, {@code bind}, {@code unbind}, ...
 * @param actor the object's id (container id, driver {@code kind/id}, ...)
 * @param attributes further facts (name, image, exit code, bundle, ...)
 */
public record Event(Instant time, String type, String action, String actor, Map<String, String> attributes) {
    public Event {
        attributes = Map.copyOf(attributes);
    }
}
