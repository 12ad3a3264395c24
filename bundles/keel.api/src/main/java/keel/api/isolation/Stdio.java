package keel.api.isolation;

/**
 * Where a process's standard streams go. Containers keep their stdio independent of the daemon:
 * the driver's supervisor owns the pipes or the terminal and writes {@code logPath}.
 *
 * @param terminal allocate a pseudo-terminal
 * @param openStdin keep stdin open for an attach
 * @param logPath the json-file log of the container, or null to not log
 * @param attachSocket the unix socket path the supervisor serves for attaching, in the frame
 *        protocol of {@link keel.api.container.Attach}
 */
public record Stdio(boolean terminal, boolean openStdin, String logPath, String attachSocket) {
}
