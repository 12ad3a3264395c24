package keel.api.kernel;

/**
 * @param version Keel's version
 * @param apiVersion the version of the keel.api bundle
 * @param javaVersion the daemon's Java runtime
 * @param framework the OSGi framework and its version
 * @param os operating system name
 * @param arch CPU architecture
 */
public record VersionInfo(String version, String apiVersion, String javaVersion, String framework, String os,
        String arch) {
}
