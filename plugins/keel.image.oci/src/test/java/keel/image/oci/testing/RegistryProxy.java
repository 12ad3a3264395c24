package keel.image.oci.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny HTTP proxy in front of a test registry, on 127.0.0.1, to observe and disturb a pull:
 * it records every request, counts blob GETs, and on request cuts one blob download after some
 * bytes, ignores Range (answers 200 with the whole blob), corrupts blob or manifest bytes, demands
 * Bearer tokens from its own token service, or redirects blob GETs to a "CDN" path of its own.
 */
public final class RegistryProxy implements AutoCloseable {
    public static final String TOKEN = "keel-test-token-1";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String upstream;

    /** Every request as "METHOD path?query [Range: ...] [Authorization: scheme]". */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** Token service requests' query strings. */
    public final List<String> tokenQueries = new CopyOnWriteArrayList<>();
    public final AtomicInteger blobGets = new AtomicInteger();
    /** Blob responses being sent now, and the most there ever were at once. */
    public final AtomicInteger blobsInFlight = new AtomicInteger();
    public final AtomicInteger maxBlobsInFlight = new AtomicInteger();
    /** A pause before each blob response, so that overlapping downloads overlap observably. */
    public volatile long blobDelayMillis;

    /** Cut the next blob response after this many bytes (once), or -1. */
    public volatile long cutBlobAfter = -1;
    public final AtomicBoolean cut = new AtomicBoolean();
    /** With a cut: instead of dropping the connection, send nothing more (until the client gives up). */
    public volatile boolean stallInsteadOfCut;
    public volatile boolean ignoreRange;
    public volatile boolean corruptBlobs;
    public volatile boolean corruptManifests;
    public volatile boolean redirectBlobs;
    /** Demand Bearer tokens; the token service wants these Basic credentials (null: anonymous tokens). */
    public volatile boolean bearer;
    public volatile String tokenUser;
    public volatile String tokenPassword;

    public RegistryProxy(String upstreamHost) throws IOException {
        this.upstream = "http://" + upstreamHost;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String range = exchange.getRequestHeaders().getFirst("Range");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            requests.add(exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query)
                    + (range == null ? "" : " Range: " + range)
                    + (authorization == null ? "" : " Authorization: " + authorization.split(" ")[0]));
            if (path.equals("/token")) {
                token(exchange, query, authorization);
                return;
            }
            String forwardPath = path;
            if (path.startsWith("/cdn/")) {
                forwardPath = path.substring("/cdn".length()); // the "CDN" needs no credentials
            } else if (bearer && !("Bearer " + TOKEN).equals(authorization)) {
                String repository = path.replaceFirst("^/v2/(.*)/(manifests|blobs)/.*$", "$1");
                String scope = path.equals("/v2/") ? "" : ",scope=\"repository:" + repository + ":pull\""; // as Hub
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host()
                        + "/token\",service=\"keel-test\"" + scope);
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token required\"}]}");
                return;
            } else if (redirectBlobs && path.contains("/blobs/")) {
                exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort()
                        + "/cdn" + path);
                exchange.sendResponseHeaders(307, -1);
                return;
            }
            forward(exchange, forwardPath, query, range, bearer ? null : authorization);
        } catch (IOException | RuntimeException e) {
            // a cut connection ends up here by design
        }
    }

    private void token(HttpExchange exchange, String query, String authorization) throws IOException {
        tokenQueries.add(query == null ? "" : query);
        if (tokenUser != null) {
            String expected = "Basic " + Base64.getEncoder().encodeToString((tokenUser + ":" + tokenPassword)
                    .getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(authorization)) {
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        send(exchange, 200, "{\"access_token\":\"" + TOKEN + "\",\"expires_in\":300}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void forward(HttpExchange exchange, String path, String query, String range, String authorization)
            throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + path + (query == null ? ""
                : "?" + query))).method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (range != null && !ignoreRange) {
            request.header("Range", range);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        for (String header : new String[] {"Content-Type", "Docker-Content-Digest", "Content-Range",
                "WWW-Authenticate", "Location", "Accept-Ranges"}) {
            if (ignoreRange && (header.equals("Accept-Ranges") || header.equals("Content-Range"))) {
                continue;
            }
            response.headers().allValues(header).forEach(v -> exchange.getResponseHeaders().add(header, v));
        }
        boolean blob = path.contains("/blobs/sha256:") && exchange.getRequestMethod().equals("GET");
        boolean manifest = path.contains("/manifests/");
        int status = response.statusCode();
        if (blob && (status == 200 || status == 206)) {
            blobGets.incrementAndGet();
            int now = blobsInFlight.incrementAndGet();
            maxBlobsInFlight.accumulateAndGet(now, Math::max);
            try {
                if (blobDelayMillis > 0) {
                    Thread.sleep(blobDelayMillis);
                }
                relay(exchange, response, status, blob, manifest);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                blobsInFlight.decrementAndGet();
            }
            return;
        }
        relay(exchange, response, status, blob, manifest);
    }

    private void relay(HttpExchange exchange, HttpResponse<InputStream> response, int status, boolean blob,
            boolean manifest) throws IOException {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().add("Content-Length", Long.toString(length));
            exchange.sendResponseHeaders(status, -1);
            response.body().close();
            return;
        }
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length < 0 ? 0 : length);
        boolean cutThis = blob && status / 100 == 2 && cutBlobAfter >= 0 && length > cutBlobAfter
                && cut.compareAndSet(false, true);
        long limit = cutThis ? cutBlobAfter : Long.MAX_VALUE;
        boolean corrupt = status == 200 && (blob && corruptBlobs || manifest && corruptManifests);
        try (InputStream in = response.body()) {
            OutputStream out = exchange.getResponseBody();
            byte[] buffer = new byte[8192];
            long sent = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (corrupt && sent == 0 && n > 20) {
                    buffer[n / 2] ^= 0x01; // same length, other content
                }
                int take = (int) Math.min(n, limit - sent);
                out.write(buffer, 0, take);
                sent += take;
                if (sent >= limit) {
                    out.flush();
                    if (stallInsteadOfCut) {
                        try {
                            Thread.sleep(30_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    // drop the connection mid-body: the client has fewer bytes than Content-Length
                    throw new IOException("cut by the test proxy after " + sent + " bytes");
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
