package keel.image.oci;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import keel.api.driver.KeelDriver;
import keel.api.image.ContentStore;
import keel.api.image.CredentialCheck;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.Platform;
import keel.api.image.PullProgress;
import keel.api.image.RegistryAuth;
import keel.api.image.RegistryClient;
import keel.image.oci.content.Limits;
import keel.image.oci.registry.RegistryPuller;

/** The registry driver: pulls per the OCI distribution spec with java.net.http. */
@Component(service = RegistryClient.class)
@KeelDriver(id = "oci")
public class OciRegistryClient implements RegistryClient, CredentialCheck {
    private final java.util.function.Supplier<RegistryPuller> factory;
    private volatile RegistryPuller puller;

    /**
     * The HTTP client (a selector thread, TLS) is made at the first pull, not at activation: the
     * kernel binds every driver at daemon boot, and most boots never pull.
     */
    public OciRegistryClient() {
        this.factory = () -> new RegistryPuller(RegistryPuller.defaultClient(), Limits.DEFAULT,
                RegistryPuller.Settings.DEFAULT);
    }

    public OciRegistryClient(RegistryPuller puller) {
        this.factory = () -> puller;
        this.puller = puller;
    }

    private RegistryPuller puller() {
        RegistryPuller p = puller;
        if (p == null) {
            synchronized (this) {
                p = puller;
                if (p == null) {
                    p = puller = factory.get();
                }
            }
        }
        return p;
    }

    @Override
    public Map<String, String> describe() {
        RegistryPuller p = puller;
        RegistryPuller.Settings settings = p == null ? RegistryPuller.Settings.DEFAULT : p.settings();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("driver", "oci");
        facts.put("protocol", "OCI distribution v2 (pull)");
        facts.put("manifests", "OCI index and manifest, Docker manifest list and schema 2");
        facts.put("scheme", "https; http for loopback hosts (127.0.0.0/8, ::1, localhost) or insecure registries");
        facts.put("docker.io", "registry-1.docker.io, library/ for single names");
        facts.put("auth", "Bearer token service or Basic, from the registry's challenge; login checks /v2/");
        facts.put("platform.default", Platform.LINUX_AMD64.toString());
        facts.put("blobs.parallel", Integer.toString(settings.parallel()));
        facts.put("blobs.attempts", settings.attempts() + " (resumed with Range when the registry supports it)");
        facts.put("blobs.idle.timeout", settings.idleTimeout().toSeconds() + " s");
        return facts;
    }

    @Override
    public LoadedImage pull(ImageReference reference, Platform platform, RegistryAuth auth, ContentStore store,
            PullProgress progress) {
        return puller().pull(reference, platform, auth, store, progress);
    }

    @Override
    public void check(String registry, RegistryAuth auth) {
        puller().check(registry, auth);
    }
}
