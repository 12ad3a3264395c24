package keel.console.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;
import keel.api.kernel.Event;

class EventsCommandTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void timesAreRfc3339UnixSecondsOrDurationsBeforeNow() {
        assertEquals(Instant.parse("2026-11-28T09:50:00Z"), EventsCommand.time("10m", NOW, "--since"));
        assertEquals(Instant.parse("2026-11-28T08:00:00Z"), EventsCommand.time("2h", NOW, "--since"));
        assertEquals(Instant.ofEpochSecond(1700000000), EventsCommand.time("1700000000", NOW, "--since"));
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), EventsCommand.time("2026-01-02T03:04:05Z", NOW, "--since"));
        assertEquals(Instant.parse("2026-01-02T01:04:05Z"),
                EventsCommand.time("2026-01-02T03:04:05+02:00", NOW, "--since"));
        KeelException e = assertThrows(KeelException.class, () -> EventsCommand.time("yesterday", NOW, "--until"));
        assertTrue(e.getMessage().contains("'yesterday' for --until"), e.getMessage());
    }

    @Test
    void filtersMatchTypeActionAndActor() {
        Event bind = new Event(NOW, "driver", "bind", "layer/alpha", Map.of());
        assertTrue(EventsCommand.filter("type=driver").test(bind));
        assertTrue(EventsCommand.filter("type=driver,action=bind").test(bind));
        assertFalse(EventsCommand.filter("action=unbind").test(bind));
        assertTrue(EventsCommand.filter("").test(bind));
        assertThrows(KeelException.class, () -> EventsCommand.filter("colour=red"));
    }
}
