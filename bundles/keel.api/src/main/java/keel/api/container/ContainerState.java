package keel.api.container;

import java.time.Instant;

/**
 * A container's state as {@code keel inspect} shows it.
 *
 * @param status the lifecycle state
 * @param pid the host pid of its process while it runs, else 0
 * @param exitCode its last exit code (128 + signal when killed)
 * @param oomKilled whether the kernel's OOM killer ended it
 * @param startedAt when it last started, or null
 * @param finishedAt when it last ended, or null
 * @param error why it could not start, or empty
 * @param restartCount how often the restart policy restarted it
 */
public record ContainerState(ContainerStatus status, int pid, int exitCode, boolean oomKilled, Instant startedAt,
        Instant finishedAt, String error, int restartCount) {
}
