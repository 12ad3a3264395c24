package keel.api.kernel;

import java.util.List;
import java.util.Map;

/**
 * @param kernelVersion the running Linux kernel ({@code uname -r})
 * @param operatingSystem from /etc/os-release
 * @param cpus online CPUs
 * @param memoryBytes total memory
 * @param cgroupVersion {@code v1}, {@code v2} or {@code hybrid}, as read from /proc/self/mountinfo
 * @param rootDir the state root, e.g. /var/lib/keel
 * @param runDir the runtime directory, e.g. /run/keel
 * @param pluginsDir the watched plugins directory
 * @param drivers the driver report per kind
 * @param driverFacts the facts each bound driver reports, by kind label
 * @param containers how many containers the kernel knows
 */
public record HostInfo(String kernelVersion, String operatingSystem, int cpus, long memoryBytes, String cgroupVersion,
        String rootDir, String runDir, String pluginsDir, List<DriverKindReport> drivers,
        Map<String, Map<String, String>> driverFacts, int containers) {
}
