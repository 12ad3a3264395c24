package keel.api.container;

import java.time.Instant;

/** One line of a container's log: when, which stream ({@code stdout}/{@code stderr}), the text. */
public record LogEntry(Instant time, String stream, String text) {
}
