package keel.api.kernel;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/** The kernel's event stream. */
@ProviderType
public interface EventService {

    /** Publishes an event to every subscriber and to the recent-events buffer. */
    void publish(Event event);

    /** Events kept in memory since {@code since} (the buffer holds the most recent ones only). */
    List<Event> since(Instant since);

    /**
     * Delivers every event published from now on to {@code listener}, on a thread of the kernel's,
     * until the returned handle is closed. A slow listener loses events rather than slowing others.
     */
    AutoCloseable subscribe(Consumer<Event> listener);
}
