package keel.it.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a test registry that, while armed, stalls every large
 * blob download after its first 256 KiB until released: a pull that is surely in the middle.
 */
final class StallingProxy implements AutoCloseable {
    private static final long LARGE = 1 << 20;
    private static final int HEAD_BYTES = 256 << 10;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final String upstream;
    private volatile boolean armed = true;
    /** Counted down when a large blob download has stalled. */
    final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    StallingProxy(String upstreamHost) throws IOException {
        this.upstream = "http://" + upstreamHost;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Lets stalled downloads go on and stops stalling new ones. */
    void release() {
        armed = false;
        released.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            for (String header : List.of("Accept", "Authorization", "Range")) {
                List<String> values = exchange.getRequestHeaders().get(header);
                if (values != null) {
                    values.forEach(v -> request.header(header, v));
                }
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.headers().map().forEach((name, values) -> {
                if (!List.of("content-length", "transfer-encoding", "connection", "date").contains(name.toLowerCase())) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (InputStream body = response.body()) {
                if (method.equals("HEAD") || length == 0) {
                    if (method.equals("HEAD") && length > 0) {
                        exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                    }
                    exchange.sendResponseHeaders(response.statusCode(), -1);
                    return;
                }
                exchange.sendResponseHeaders(response.statusCode(), Math.max(length, 0));
                OutputStream out = exchange.getResponseBody();
                boolean stall = armed && length > LARGE && exchange.getRequestURI().getPath().contains("/blobs/");
                if (stall) {
                    out.write(body.readNBytes(HEAD_BYTES));
                    out.flush();
                    stalled.countDown();
                    released.await(120, TimeUnit.SECONDS);
                }
                body.transferTo(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the daemon was killed in the middle: that is the point
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
