package keel.image.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.junit.jupiter.api.Test;

import keel.api.image.Digest;
import keel.api.image.ImageReference;
import keel.api.image.RegistryAuth;

class EndpointTest {
    private static Endpoint of(String reference, RegistryAuth auth) {
        return Endpoint.of(ImageReference.parse(reference), auth);
    }

    @Test
    void dockerHubIsRegistry1WithLibraryNames() {
        Endpoint hub = of("busybox", RegistryAuth.ANONYMOUS);
        assertEquals(URI.create("https://registry-1.docker.io/v2/"), hub.base());
        assertEquals("docker.io", hub.registry());
        assertEquals(URI.create("https://registry-1.docker.io/v2/library/busybox/manifests/latest"),
                hub.manifest(ImageReference.parse("busybox").repository(), "latest"));
        assertEquals(URI.create("https://registry-1.docker.io/v2/"), of("index.docker.io/x/y:1",
                RegistryAuth.ANONYMOUS).base());
    }

    @Test
    void httpsUnlessLoopbackOrInsecure() {
        assertEquals("https", of("quay.io/a/b:1", RegistryAuth.ANONYMOUS).base().getScheme());
        assertEquals("http", of("quay.io/a/b:1", new RegistryAuth(null, null, true)).base().getScheme());
        assertEquals("http", of("127.0.0.1:5000/a:1", RegistryAuth.ANONYMOUS).base().getScheme());
        assertEquals("http", of("localhost:5000/a:1", RegistryAuth.ANONYMOUS).base().getScheme());
        assertEquals("http", of("[::1]:5000/a:1", RegistryAuth.ANONYMOUS).base().getScheme());
        assertEquals("https", of("128.0.0.1:5000/a:1", RegistryAuth.ANONYMOUS).base().getScheme());
    }

    @Test
    void loopbackIsDecidedFromTheLiteralHost() {
        for (String host : new String[] {"127.0.0.1", "127.1.2.3:80", "localhost", "LOCALHOST:5000", "[::1]", "::1"}) {
            assertTrue(Endpoint.isLoopback(host), host);
        }
        for (String host : new String[] {"127.0.0.1.nip.io", "localhost.example.com", "127.0.0.256", "10.0.0.1",
                "[::2]:5000", "example.com"}) {
            assertFalse(Endpoint.isLoopback(host), host);
        }
    }

    @Test
    void credentialsGoOnlyToTheRegistryItself() {
        Endpoint e = of("127.0.0.1:5000/a:1", RegistryAuth.ANONYMOUS);
        Digest d = Digest.parse("sha256:" + "a".repeat(64));
        assertTrue(e.owns(e.blob("a", d)));
        assertFalse(e.owns(URI.create("http://localhost:5000/v2/a/blobs/" + d)));
        assertFalse(e.owns(URI.create("http://127.0.0.1:5001/v2/")));
        assertFalse(e.owns(URI.create("https://127.0.0.1:5000/v2/")));
        assertTrue(of("quay.io/a:1", RegistryAuth.ANONYMOUS).owns(URI.create("https://quay.io:443/v2/a")));
    }
}
