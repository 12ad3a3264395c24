package keel.api.volume;

import java.time.Instant;
import java.util.Map;

/**
 * A volume as {@code keel volume inspect} shows it.
 *
 * @param name its name (64 hex digits for an anonymous one)
 * @param driver always {@code local}
 * @param mountpoint its data directory on the host, {@code <root>/volumes/NAME/_data}
 * @param createdAt when it was made
 * @param labels its labels ({@code keel.volume.anonymous} marks an anonymous one)
 */
public record VolumeInfo(String name, String driver, String mountpoint, Instant createdAt,
        Map<String, String> labels) {
    public static final String ANONYMOUS = "keel.volume.anonymous";

    public VolumeInfo {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public boolean anonymous() {
        return labels.containsKey(ANONYMOUS);
    }
}
