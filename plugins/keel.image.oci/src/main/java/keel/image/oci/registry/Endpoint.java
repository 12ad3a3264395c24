package keel.image.oci.registry;

import java.net.URI;
import java.util.regex.Pattern;

import keel.api.image.Digest;
import keel.api.image.ImageReference;
import keel.api.image.RegistryAuth;

/**
 * Where a registry answers: {@code https://HOST/v2/} unless the credentials allow plain HTTP or the
 * host is a loopback address (127.0.0.0/8, ::1, localhost), which is reached over {@code http}.
 * {@code docker.io} is served by {@code registry-1.docker.io}, as Docker does. Loopback is decided
 * from the literal host, never by a DNS lookup.
 *
 * @param registry the registry as the reference names it, for messages (e.g. {@code docker.io})
 * @param host host[:port] actually contacted
 * @param base the {@code /v2/} URL
 */
public record Endpoint(String registry, String host, URI base) {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public static Endpoint of(ImageReference reference, RegistryAuth auth) {
        String registry = reference.registry();
        String host = registry.equals(ImageReference.DEFAULT_REGISTRY) || registry.equals("index.docker.io")
                ? "registry-1.docker.io" : registry;
        boolean plain = auth.insecure() || isLoopback(host);
        return new Endpoint(registry, host, URI.create((plain ? "http" : "https") + "://" + host + "/v2/"));
    }

    public boolean plainHttp() {
        return base.getScheme().equals("http");
    }

    /** True for {@code localhost}, {@code 127.x.y.z} and {@code ::1}, with or without a port. */
    public static boolean isLoopback(String hostPort) {
        String host = hostPort;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end < 0 ? host : host.substring(1, end);
            return host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
        }
        int colon = host.indexOf(':');
        if (colon >= 0 && host.indexOf(':', colon + 1) < 0) {
            host = host.substring(0, colon);
        }
        if (host.equalsIgnoreCase("localhost") || host.equals("::1")) {
            return true;
        }
        var m = IPV4_LOOPBACK.matcher(host);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 3; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    public URI manifest(String repository, String reference) {
        return base.resolve(repository + "/manifests/" + reference);
    }

    public URI blob(String repository, Digest digest) {
        return base.resolve(repository + "/blobs/" + digest);
    }

    /** True if {@code uri} is this registry (same scheme, host and port): only then are credentials sent. */
    public boolean owns(URI uri) {
        return base.getScheme().equalsIgnoreCase(uri.getScheme()) && base.getHost().equalsIgnoreCase(uri.getHost())
                && port(base) == port(uri);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
