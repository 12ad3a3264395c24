package keel.api.image;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives progress of a pull, per blob, for a live display. */
@ConsumerType
public interface PullProgress {
    /** {@code done} of {@code total} bytes of {@code blob}; {@code status} is e.g. downloading, verifying, exists. */
    void update(Digest blob, String status, long done, long total);
}
