package keel.isolation.linux.shim;

/**
 * A started process.
 *
 * @param shimPid the supervising keel-shim (its parent), in the host's PID namespace
 * @param pid the container's (or exec'd) process, in the host's PID namespace
 */
public record ShimResult(long shimPid, int pid) {
}
