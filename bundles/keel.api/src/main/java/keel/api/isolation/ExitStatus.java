package keel.api.isolation;

import java.time.Instant;

/**
 * How a process ended: {@code code} is its exit code, or 128 + the signal that killed it.
 *
 * @param code the exit code as a shell reports it
 * @param signal the killing signal, or 0
 * @param finishedAt when it ended
 */
public record ExitStatus(int code, int signal, Instant finishedAt) {
}
