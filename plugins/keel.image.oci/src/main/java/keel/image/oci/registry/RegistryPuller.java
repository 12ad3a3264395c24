package keel.image.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageIndex;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.Manifest;
import keel.api.image.MediaTypes;
import keel.api.image.Platform;
import keel.api.image.PullProgress;
import keel.api.image.RegistryAuth;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Documents;
import keel.image.oci.content.Documents.ConfigFacts;
import keel.image.oci.content.Json;
import keel.image.oci.content.Limits;
import keel.image.oci.content.Platforms;
import keel.image.oci.content.StoredBlobs;

/**
 * Pulls an image per the OCI distribution spec: the manifest by tag or digest (its digest checked
 * against the body, the {@code Docker-Content-Digest} header and the reference), the platform's
 * manifest from an index, then the config and the layers on a small pool, each skipped when the
 * store has it, streamed through a digest check into the store, retried and resumed when a
 * connection drops. Manifests are stored last, once everything they reference is in.
 */
public final class RegistryPuller {
    static final String USER_AGENT = "keel/0.1 (keel.image.oci)";
    private static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);
    private static final PullProgress SILENT = (blob, status, done, total) -> {
    };

    /**
     * @param parallel blob downloads at once per pull
     * @param attempts HTTP requests per blob at most (the first and its retries)
     * @param backoffMillis pause before retry n is n times this
     * @param requestTimeout until a response's headers arrive
     * @param idleTimeout how long a blob download may receive nothing before it is dropped and retried
     */
    public record Settings(int parallel, int attempts, long backoffMillis, Duration requestTimeout,
            Duration idleTimeout) {
        public static final Settings DEFAULT = new Settings(3, 3, 500, Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    private final HttpClient client;
    private final Limits limits;
    private final Settings settings;
    /** Blob downloads in progress (of every pull), for the watchdogs. */
    private final Set<BlobStream> downloads = ConcurrentHashMap.newKeySet();

    public RegistryPuller(HttpClient client, Limits limits, Settings settings) {
        this.client = Objects.requireNonNull(client);
        this.limits = Objects.requireNonNull(limits);
        this.settings = Objects.requireNonNull(settings);
    }

    /** The client Keel uses: redirects followed by {@link RegistrySession} itself, 30 s to connect. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    public Settings settings() {
        return settings;
    }

    public LoadedImage pull(ImageReference reference, Platform platform, RegistryAuth auth, ContentStore store,
            PullProgress progress) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(store, "store");
        RegistryAuth credentials = auth == null ? RegistryAuth.ANONYMOUS : auth;
        Platform wanted = platform == null ? Platform.LINUX_AMD64 : platform;
        PullProgress listener = progress == null ? SILENT : new SerialProgress(progress);
        String context = "pull " + reference;
        RegistrySession session = new RegistrySession(client, Endpoint.of(reference, credentials),
                reference.repository(), credentials, context, settings.requestTimeout());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-pull-watchdog");
            t.setDaemon(true);
            return t;
        });
        long idle = settings.idleTimeout().toNanos();
        long period = Math.max(100, settings.idleTimeout().toMillis() / 4);
        watchdog.scheduleWithFixedDelay(() -> downloads.forEach(d -> d.closeIfIdle(idle)), period, period,
                TimeUnit.MILLISECONDS);
        try {
            return pull(session, reference, wanted, store, listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("%s: interrupted", context);
        } catch (IOException e) {
            throw unreachable(session, e);
        } finally {
            watchdog.shutdownNow();
        }
    }

    /**
     * Signs in to the registry's {@code /v2/} with {@code auth} (Basic, or a Bearer token from its
     * token service without a repository scope), as docker login does; returns if it answers 200.
     */
    public void check(String registry, RegistryAuth auth) {
        RegistryAuth credentials = auth == null ? RegistryAuth.ANONYMOUS : auth;
        Endpoint endpoint = Endpoint.of(new ImageReference(registry, "x", "latest", null), credentials);
        RegistrySession session = new RegistrySession(client, endpoint, null, credentials, "login " + registry,
                settings.requestTimeout());
        try {
            HttpResponse<InputStream> response = session.get(endpoint.base(), Map.of());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw session.refusal(response, "the registry");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("login %s: interrupted", registry);
        } catch (IOException e) {
            throw unreachable(session, e);
        }
    }

    private static KeelException unreachable(RegistrySession session, IOException e) {
        String why = e instanceof ConnectException ? "cannot connect" : "connection failed";
        return new KeelException(ErrorKind.UNAVAILABLE, session.context + ": " + why + " to registry "
                + session.endpoint.registry() + " (" + session.endpoint.base() + "): " + e, e);
    }

    /** A manifest or index as fetched: its descriptor (digest over the exact bytes) and the bytes. */
    private record Fetched(Descriptor descriptor, byte[] bytes) {
    }

    private LoadedImage pull(RegistrySession session, ImageReference reference, Platform platform,
            ContentStore store, PullProgress progress) throws IOException, InterruptedException {
        String tagOrDigest = reference.digest() != null ? reference.digest().toString() : reference.tag();
        String name = reference.repository() + (reference.digest() != null ? "@" : ":") + tagOrDigest;
        List<Fetched> documents = new ArrayList<>();
        Fetched current = manifest(session, tagOrDigest, reference.digest(), null, name);
        documents.add(current);
        Platform chosen = null;
        for (int depth = 0; Documents.isIndex(current.descriptor().mediaType()); depth++) {
            if (depth >= limits.maxIndexDepth()) {
                throw KeelException.invalid("%s: indexes nest deeper than %d", session.context, limits.maxIndexDepth());
            }
            String what = "image index " + current.descriptor().digest() + " of " + name;
            ImageIndex index = Documents.index(current.bytes(), current.descriptor().mediaType(), what, limits);
            Descriptor child = Platforms.select(index.manifests(), Descriptor::platform, platform, what);
            chosen = child.platform();
            current = manifest(session, child.digest().toString(), child.digest(), child.mediaType(),
                    reference.repository() + "@" + child.digest());
            documents.add(current);
        }
        Descriptor manifestDescriptor = current.descriptor();
        String what = "manifest " + manifestDescriptor.digest() + " of " + name;
        Manifest manifest = Documents.manifest(current.bytes(), manifestDescriptor.mediaType(), what, limits);
        if (manifest.config().size() > limits.maxJsonBytes()) {
            throw Json.tooLarge(session.context + ": image config " + manifest.config().digest() + " ("
                    + manifest.config().size() + " bytes)", limits.maxJsonBytes());
        }

        // the config first: it is small and tells whether the manifest is coherent before any layer comes
        blob(session, manifest.config(), "image config " + manifest.config().digest(), store, progress);
        ConfigFacts facts = Documents.config(StoredBlobs.json(store, manifest.config(), limits, "image config"),
                "image config " + manifest.config().digest() + " of " + name, limits);
        if (facts.diffIds().size() != manifest.layers().size()) {
            throw KeelException.invalid("%s: %s has %d layers but its config lists %d diff_ids", session.context,
                    what, manifest.layers().size(), facts.diffIds().size());
        }
        layers(session, manifest.layers(), store, progress);

        // manifests last, innermost first: nothing is stored that references what is not there
        for (int i = documents.size() - 1; i >= 0; i--) {
            Fetched document = documents.get(i);
            if (!store.contains(document.descriptor().digest())) {
                store.write(document.descriptor(), new java.io.ByteArrayInputStream(document.bytes()));
            }
        }
        Descriptor result = new Descriptor(manifestDescriptor.mediaType(), manifestDescriptor.digest(),
                manifestDescriptor.size(), null, chosen != null ? chosen : facts.platform());
        return new LoadedImage(List.of(reference), result);
    }

    /**
     * GET a manifest; its digest is computed over the body and must equal the Docker-Content-Digest
     * header and {@code expected} when they are given.
     */
    private Fetched manifest(RegistrySession session, String tagOrDigest, Digest expected, String expectedType,
            String name) throws IOException, InterruptedException {
        String what = "manifest " + name;
        HttpResponse<InputStream> response = session.get(session.endpoint.manifest(session.repository, tagOrDigest),
                Map.of("Accept", ACCEPT));
        if (response.statusCode() != 200) {
            throw session.refusal(response, what);
        }
        byte[] bytes;
        try (InputStream body = response.body()) {
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length > limits.maxJsonBytes()) {
                throw Json.tooLarge(session.context + ": " + what + " (" + length + " bytes)", limits.maxJsonBytes());
            }
            bytes = Json.readBounded(body, limits.maxJsonBytes(), session.context + ": " + what);
        }
        Digest actual = expected != null ? Digests.of(bytes, expected) : Digests.sha256(bytes);
        String header = response.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (header != null) {
            Digest claimed;
            try {
                claimed = Digest.parse(header.trim());
            } catch (KeelException e) {
                throw KeelException.invalid("%s: %s: the registry's Docker-Content-Digest '%s' is invalid",
                        session.context, what, header);
            }
            Digest computed = Digests.of(bytes, claimed);
            if (!computed.equals(claimed)) {
                throw KeelException.invalid("%s: %s from registry %s: digest mismatch: the registry says %s, the "
                        + "content is %s", session.context, what, session.endpoint.registry(), claimed, computed);
            }
        }
        if (expected != null && !actual.equals(expected)) {
            throw KeelException.invalid("%s: %s from registry %s: digest mismatch: expected %s, got %s",
                    session.context, what, session.endpoint.registry(), expected, actual);
        }
        String contentType = response.headers().firstValue("Content-Type").map(t -> t.split(";", 2)[0].trim())
                .filter(t -> !t.isEmpty() && !t.equals("application/json") && !t.equals("text/plain")
                        && !t.equals("application/octet-stream"))
                .orElse(expectedType);
        String mediaType = Documents.mediaType(Json.parseObject(bytes, session.context + ": " + what), contentType,
                session.context + ": " + what);
        if (expectedType != null && !expectedType.equals(mediaType)) {
            throw KeelException.invalid("%s: %s is a %s but its index says %s", session.context, what, mediaType,
                    expectedType);
        }
        return new Fetched(new Descriptor(mediaType, actual, bytes.length, null, null), bytes);
    }

    /** Brings one blob into the store unless it is there; reports exists / downloading / done. */
    private void blob(RegistrySession session, Descriptor d, String what, ContentStore store, PullProgress progress) {
        if (store.contains(d.digest())) {
            StoredBlobs.require(store, d, what);
            progress.update(d.digest(), "exists", d.size(), d.size());
            return;
        }
        progress.update(d.digest(), "downloading", 0, d.size());
        BlobStream stream = new BlobStream(session, d, what, progress, settings.attempts(), settings.backoffMillis());
        downloads.add(stream);
        try (stream) {
            store.write(d, stream);
        } catch (KeelException e) {
            if (stream.failure != null) {
                throw stream.failure;
            }
            throw new KeelException(e.kind(), session.context + ": " + what + ": " + e.getMessage(), e);
        } finally {
            downloads.remove(stream);
        }
        StoredBlobs.require(store, d, what);
        progress.update(d.digest(), "done", d.size(), d.size());
    }

    /** The layers, {@link Settings#parallel()} at a time; the first failure cancels the rest. */
    private void layers(RegistrySession session, List<Descriptor> layers, ContentStore store, PullProgress progress)
            throws InterruptedException {
        Map<Digest, Descriptor> distinct = new LinkedHashMap<>();
        layers.forEach(l -> distinct.putIfAbsent(l.digest(), l));
        if (distinct.isEmpty()) {
            return;
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallel(), distinct.size()), r -> {
            Thread t = new Thread(r, "keel-pull-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            int i = 0;
            for (Descriptor layer : distinct.values()) {
                String what = "layer " + (i++) + " " + layer.digest();
                futures.add(pool.submit(() -> blob(session, layer, what, store, progress)));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof KeelException keel) {
                        throw keel;
                    }
                    throw KeelException.internal(session.context + ": a layer download failed", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            // downloads still running were interrupted; let them leave the store tidy before returning
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** Progress callbacks come from several download threads; the listener sees them one at a time. */
    private static final class SerialProgress implements PullProgress {
        private final PullProgress delegate;

        SerialProgress(PullProgress delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized void update(Digest blob, String status, long done, long total) {
            delegate.update(blob, status, done, total);
        }
    }
}
