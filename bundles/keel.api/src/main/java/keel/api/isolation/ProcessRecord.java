package keel.api.isolation;

import java.util.Map;

/**
 * A container's (or exec'd) process as data: enough for any instance of an isolation driver to
 * find it again and be sure it is the same process.
 *
 * @param containerId the container
 * @param pid the process id in the host's PID namespace
 * @param startTime the process start time in clock ticks since boot (field 22 of /proc/PID/stat),
 *        which tells a reused PID apart
 * @param stateDir the driver's runtime directory for this process (exit status, sockets)
 * @param namespaces namespace paths by type ({@code net} -> {@code /proc/PID/ns/net}, ...)
 */
public record ProcessRecord(String containerId, int pid, long startTime, String stateDir,
        Map<String, String> namespaces) {
    public ProcessRecord {
        namespaces = Map.copyOf(namespaces);
    }
}
