package keel.image.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.Digest;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.MediaTypes;
import keel.api.image.Platform;
import keel.api.image.PullProgress;
import keel.api.image.RegistryAuth;
import keel.image.oci.OciRegistryClient;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Limits;
import keel.image.oci.testing.Fixtures;
import keel.image.oci.testing.RegistryProxy;
import keel.image.oci.testing.TestRegistry;
import keel.image.oci.testing.TestStore;
import keel.image.oci.testing.Tools;

/**
 * Pulls from the Docker distribution registry on 127.0.0.1, filled by skopeo with the busybox
 * images; a proxy in front of it counts, cuts and corrupts where a test needs it.
 */
class RegistryPullTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "keel";
    private static final String PASSWORD = "pull-s3cret";

    private static Path work;
    private static Fixtures fixtures;
    private static TestRegistry open;
    private static TestRegistry locked;

    @TempDir
    Path tmp;

    private TestStore store;
    private RegistryProxy proxy;
    private final Events events = new Events();
    private final RegistryPuller puller = new RegistryPuller(RegistryPuller.defaultClient(), Limits.DEFAULT,
            new RegistryPuller.Settings(3, 3, 10, Duration.ofSeconds(30), Duration.ofSeconds(1)));

    @BeforeAll
    static void registries() throws Exception {
        fixtures = Fixtures.get();
        work = Files.createTempDirectory("keel-registry-test-");
        open = TestRegistry.start(work.resolve("open"), null, null);
        open.push("oci:" + fixtures.layout + ":" + Fixtures.AMD64, "busybox:latest", false);
        open.push("oci:" + fixtures.layout + ":" + Fixtures.MULTI, "multi:latest", true);
        open.push("oci:" + fixtures.layout + ":" + Fixtures.LAYERS, "layers:latest", false);
        locked = TestRegistry.start(work.resolve("locked"), USER, PASSWORD);
        locked.push("oci:" + fixtures.layout + ":" + Fixtures.AMD64, "private/busybox:1", false);
    }

    @AfterAll
    static void stop() throws Exception {
        if (open != null) {
            open.close();
        }
        if (locked != null) {
            locked.close();
        }
        Tools.deleteTree(work);
    }

    @BeforeEach
    void setUp() throws Exception {
        store = new TestStore(tmp.resolve("store"));
        proxy = new RegistryProxy(open.host());
    }

    @AfterEach
    void tearDown() throws Exception {
        proxy.close();
        assertEquals(List.of(), store.debris(), "temporary files left in the store");
        for (Digest blob : store.blobs()) {
            assertEquals(blob, Digests.of(Files.readAllBytes(store.path(blob).orElseThrow()), blob), "unverified blob");
        }
    }

    /** Progress events, as "status digest-prefix". */
    private static final class Events implements PullProgress {
        final List<String> all = new CopyOnWriteArrayList<>();

        @Override
        public void update(Digest blob, String status, long done, long total) {
            assertTrue(done >= 0 && done <= total, status + " " + done + "/" + total);
            all.add(status + " " + blob.hex().substring(0, 12));
        }

        boolean has(String status, Digest blob) {
            return all.contains(status + " " + blob.hex().substring(0, 12));
        }
    }

    private static ImageReference ref(String text) {
        return ImageReference.parse(text);
    }

    private static Digest sha256(String text) {
        return Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static KeelException assertFails(ErrorKind kind, Runnable pull, String... fragments) {
        KeelException e = assertThrows(KeelException.class, pull::run);
        assertEquals(kind, e.kind(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void anonymousPullBringsWhatSkopeoSees() throws Exception {
        ImageReference reference = ref(open.host() + "/busybox:latest");
        LoadedImage image = new OciRegistryClient(puller).pull(reference, null, RegistryAuth.ANONYMOUS, store,
                events);
        String raw = open.inspectRaw("busybox:latest");
        assertEquals(sha256(raw), image.manifest().digest());
        assertEquals(List.of(reference), image.names());
        assertEquals(Platform.LINUX_AMD64, image.manifest().platform());
        assertEquals(raw, Files.readString(store.path(image.manifest().digest()).orElseThrow()));
        JsonNode manifest = JSON.readTree(raw);
        Digest config = Digest.parse(manifest.at("/config/digest").asText());
        Digest layer = Digest.parse(manifest.at("/layers/0/digest").asText());
        assertTrue(store.contains(config) && store.contains(layer));
        assertEquals(manifest.at("/layers/0/size").asLong(), Files.size(store.path(layer).orElseThrow()));
        assertTrue(events.has("downloading", layer) && events.has("verifying", layer) && events.has("done", layer),
                events.all.toString());
        assertTrue(events.has("done", config), events.all.toString());
    }

    @Test
    void aMultiPlatformIndexPullsTheRequestedPlatform() throws Exception {
        JsonNode index = JSON.readTree(open.inspectRaw("multi:latest"));
        assertEquals(fixtures.multiIndex, sha256(open.inspectRaw("multi:latest")));
        ImageReference reference = ref(open.host() + "/multi:latest");

        LoadedImage amd64 = puller.pull(reference, null, null, store, null);
        assertEquals(index.at("/manifests/0/digest").asText(), amd64.manifest().digest().toString());
        assertEquals(Platform.LINUX_AMD64, amd64.manifest().platform());
        assertTrue(store.contains(fixtures.multiIndex), "the index is stored too");

        LoadedImage arm64 = puller.pull(reference, new Platform("linux", "arm64", "v8"), null, store, null);
        assertEquals(index.at("/manifests/1/digest").asText(), arm64.manifest().digest().toString());
        String armRaw = open.inspectRaw("multi@" + index.at("/manifests/1/digest").asText());
        assertEquals(sha256(armRaw), arm64.manifest().digest());
        assertTrue(store.contains(Digest.parse(JSON.readTree(armRaw).at("/config/digest").asText())));

        assertFails(ErrorKind.NOT_FOUND, () -> puller.pull(reference, new Platform("linux", "riscv64", null), null,
                store, null), "linux/riscv64", "available platforms: linux/amd64, linux/arm64");
    }

    @Test
    void aDigestReferenceIsCheckedAgainstWhatComesBack() throws Exception {
        Digest digest = sha256(open.inspectRaw("busybox:latest"));
        LoadedImage image = puller.pull(ref(open.host() + "/busybox@" + digest), null, null, store, null);
        assertEquals(digest, image.manifest().digest());
    }

    @Test
    void aSecondPullDownloadsNoBlob() {
        ImageReference reference = ref(proxy.host() + "/busybox:latest");
        LoadedImage first = puller.pull(reference, null, null, store, events);
        assertEquals(2, proxy.blobGets.get(), "config and layer: " + proxy.requests);
        int writes = store.writes().size();
        events.all.clear();

        LoadedImage second = puller.pull(reference, null, null, store, events);
        assertEquals(first.manifest().digest(), second.manifest().digest());
        assertEquals(2, proxy.blobGets.get(), "no blob GET the second time: " + proxy.requests);
        assertEquals(writes, store.writes().size());
        assertEquals(2, events.all.stream().filter(e -> e.startsWith("exists ")).count(), events.all.toString());
    }

    @Test
    void aPullCutMidBlobResumesWithARange() throws Exception {
        proxy.cutBlobAfter = 300_000;
        LoadedImage image = puller.pull(ref(proxy.host() + "/busybox:latest"), null, null, store, events);
        assertTrue(proxy.cut.get());
        assertResumedWithinTheFirst(300_000);
        assertTrue(events.all.stream().anyMatch(e -> e.startsWith("retrying ")), events.all.toString());
        assertEquals(sha256(open.inspectRaw("busybox:latest")), image.manifest().digest());
    }

    /** One request asked for the rest of a blob from where the client had got to (bytes in flight at the cut are lost). */
    private void assertResumedWithinTheFirst(long cutAt) {
        List<Long> starts = proxy.requests.stream().filter(r -> r.contains(" Range: bytes="))
                .map(r -> Long.parseLong(r.replaceFirst(".* Range: bytes=(\\d+)-.*", "$1"))).toList();
        assertEquals(1, starts.size(), proxy.requests.toString());
        assertTrue(starts.get(0) > 0 && starts.get(0) <= cutAt, proxy.requests.toString());
    }

    @Test
    void aPullCutMidBlobStartsOverWhenTheRegistryCannotResume() throws Exception {
        proxy.cutBlobAfter = 300_000;
        proxy.ignoreRange = true;
        LoadedImage image = puller.pull(ref(proxy.host() + "/busybox:latest"), null, null, store, events);
        assertTrue(proxy.cut.get());
        assertEquals(3, proxy.blobGets.get(), proxy.requests.toString());
        assertEquals(sha256(open.inspectRaw("busybox:latest")), image.manifest().digest());
    }

    @Test
    void aStalledDownloadIsDroppedAndResumed() throws Exception {
        proxy.cutBlobAfter = 300_000;
        proxy.stallInsteadOfCut = true;
        long start = System.nanoTime();
        LoadedImage image = puller.pull(ref(proxy.host() + "/busybox:latest"), null, null, store, events);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 10, "the 1 s idle timeout ended the stall, not the proxy's 30 s: " + seconds);
        assertResumedWithinTheFirst(300_000);
        assertEquals(sha256(open.inspectRaw("busybox:latest")), image.manifest().digest());
    }

    @Test
    void aBlobThatIsNotItsDigestIsRefusedAndNotStored() throws Exception {
        proxy.corruptBlobs = true;
        JsonNode manifest = JSON.readTree(open.inspectRaw("busybox:latest"));
        Digest config = Digest.parse(manifest.at("/config/digest").asText());
        assertFails(ErrorKind.INVALID_ARGUMENT, () -> puller.pull(ref(proxy.host() + "/busybox:latest"), null, null,
                store, null), "digest mismatch", "expected " + config, "got sha256:", "repository busybox",
                "registry " + proxy.host());
        assertFalse(store.contains(config));
        assertTrue(store.blobs().isEmpty(), "nothing stored: " + store.blobs());
    }

    @Test
    void aManifestThatIsNotItsDigestIsRefused() {
        proxy.corruptManifests = true;
        assertFails(ErrorKind.INVALID_ARGUMENT, () -> puller.pull(ref(proxy.host() + "/busybox:latest"), null, null,
                store, null), "digest mismatch", "the registry says sha256:", "the content is sha256:");
        assertTrue(store.blobs().isEmpty());
    }

    @Test
    void anUnknownTagIsNamed() {
        assertFails(ErrorKind.NOT_FOUND, () -> puller.pull(ref(open.host() + "/busybox:nope"), null, null, store, null),
                "manifest unknown: busybox:nope", "registry " + open.host(), "MANIFEST_UNKNOWN");
    }

    @Test
    void basicAuthRequiresCredentialsAndWorksWithThem() {
        ImageReference reference = ref(locked.host() + "/private/busybox:1");
        assertFails(ErrorKind.PERMISSION_DENIED, () -> puller.pull(reference, null, RegistryAuth.ANONYMOUS, store,
                null), "authentication required", "private/busybox:1", "registry " + locked.host());
        KeelException wrong = assertFails(ErrorKind.PERMISSION_DENIED, () -> puller.pull(reference, null,
                new RegistryAuth(USER, "wrong-password", false), store, null), "denied");
        assertFalse(wrong.getMessage().contains("wrong-password"), "no password in messages");
        LoadedImage image = puller.pull(reference, null, new RegistryAuth(USER, PASSWORD, false), store, null);
        assertEquals(sha256(locked.inspectRaw("private/busybox:1")), image.manifest().digest());
    }

    @Test
    void bearerTokensAreFetchedWithTheRepositoryScope() throws Exception {
        proxy.bearer = true;
        proxy.tokenUser = USER;
        proxy.tokenPassword = PASSWORD;
        ImageReference reference = ref(proxy.host() + "/busybox:latest");
        assertFails(ErrorKind.PERMISSION_DENIED, () -> puller.pull(reference, null, null, store, null),
                "authentication required", "token service");
        LoadedImage image = puller.pull(reference, null, new RegistryAuth(USER, PASSWORD, false), store, null);
        assertEquals(sha256(open.inspectRaw("busybox:latest")), image.manifest().digest());
        assertTrue(proxy.tokenQueries.contains("service=keel-test&scope=repository%3Abusybox%3Apull"),
                proxy.tokenQueries.toString());
        assertTrue(proxy.requests.stream().filter(r -> r.contains("/blobs/")).allMatch(r -> r.endsWith("Bearer")),
                proxy.requests.toString());
    }

    @Test
    void aLoginIsCheckedAgainstTheRegistryWithBasicOrABearerToken() throws Exception {
        puller.check(locked.host(), new RegistryAuth(USER, PASSWORD, false));
        KeelException wrong = assertFails(ErrorKind.PERMISSION_DENIED, () -> puller.check(locked.host(),
                new RegistryAuth(USER, "wrong-password", false)), "login " + locked.host(),
                "rejected the credentials");
        assertFalse(wrong.getMessage().contains("wrong-password"), "no password in messages");
        assertFails(ErrorKind.PERMISSION_DENIED, () -> puller.check(locked.host(), null), "authentication required");
        puller.check(open.host(), null);

        proxy.bearer = true;
        proxy.tokenUser = USER;
        proxy.tokenPassword = PASSWORD;
        puller.check(proxy.host(), new RegistryAuth(USER, PASSWORD, false));
        assertEquals(List.of("service=keel-test"), proxy.tokenQueries, "a sign-in asks for no repository scope");
        assertFails(ErrorKind.PERMISSION_DENIED, () -> puller.check(proxy.host(), new RegistryAuth(USER, "nope",
                false)), "token service", "rejected the credentials of user " + USER);
    }

    @Test
    void credentialsAreNotSentWhereABlobIsRedirected() throws Exception {
        proxy.bearer = true;
        proxy.redirectBlobs = true;
        LoadedImage image = puller.pull(ref(proxy.host() + "/busybox:latest"), null, null, store, null);
        assertEquals(sha256(open.inspectRaw("busybox:latest")), image.manifest().digest());
        List<String> cdn = proxy.requests.stream().filter(r -> r.contains(" /cdn/")).toList();
        assertEquals(2, cdn.size(), proxy.requests.toString());
        assertTrue(cdn.stream().noneMatch(r -> r.contains("Authorization")), cdn.toString());
    }

    @Test
    void anUnreachableRegistryIsUnavailable() throws Exception {
        String host = proxy.host();
        proxy.close();
        assertFails(ErrorKind.UNAVAILABLE, () -> puller.pull(ref(host + "/busybox:latest"), null, null, store, null),
                "cannot connect to registry " + host);
    }

    @Test
    void theConfigComesFirstThenLayersThreeAtATime() throws Exception {
        proxy.blobDelayMillis = 300;
        LoadedImage image = puller.pull(ref(proxy.host() + "/layers:latest"), null, null, store, events);
        JsonNode manifest = JSON.readTree(open.inspectRaw("layers:latest"));
        assertEquals(sha256(open.inspectRaw("layers:latest")), image.manifest().digest());
        assertEquals(MediaTypes.OCI_MANIFEST, image.manifest().mediaType());
        assertEquals(4, manifest.get("layers").size());
        assertEquals(5, proxy.blobGets.get(), proxy.requests.toString());
        assertEquals(3, proxy.maxBlobsInFlight.get(), "a pool of 3 for 4 layers");
        List<String> blobs = proxy.requests.stream().filter(r -> r.contains("/blobs/")).toList();
        assertTrue(blobs.get(0).endsWith(manifest.at("/config/digest").asText()), "config first: " + blobs);
        for (JsonNode layer : manifest.get("layers")) {
            assertTrue(events.has("done", Digest.parse(layer.get("digest").asText())), events.all.toString());
        }
    }
}
