package keel.it.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Docker distribution registry ({@code /usr/bin/docker-registry serve CONFIG}) on
 * 127.0.0.1 and a free port, storage, configuration and access log in a directory of the test's;
 * with a user it requires Basic auth from an htpasswd file ({@code htpasswd -B}). Filled with
 * skopeo. Stopped by its PID on close. Shared by keel.it.cli and keel.it.drivers (the image
 * driver's unit tests keep their own copy: a plugin does not depend on the integration tests).
 */
public final class TestRegistry implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String user;
    private final String password;
    private final int port;

    private TestRegistry(Path dir, Process process, int port, String user, String password) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** Starts a registry; {@code user} null means anonymous access. */
    public static TestRegistry start(Path dir, String user, String password) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        StringBuilder config = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                .append("  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        if (user != null) {
            run(dir, "htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), user, password);
            config.append("auth:\n  htpasswd:\n    realm: keel-test\n    path: ").append(dir.resolve("htpasswd"))
                    .append('\n');
        }
        Path configFile = Files.writeString(dir.resolve("config.yml"), config);
        Process process = new ProcessBuilder("/usr/bin/docker-registry", "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(dir, process, port, user, password);
        registry.awaitReady();
        return registry;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited: " + log());
            }
            try {
                int status = get("/v2/", "*/*").statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new AssertionError("docker-registry did not answer within 20 s: " + log());
    }

    public int port() {
        return port;
    }

    /** The PID of the registry process (the test stops it by this PID). */
    public long pid() {
        return process.pid();
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** skopeo copies {@code source} (a transport reference) to {@code name} here. */
    public void push(String source, String name) {
        List<String> command = new ArrayList<>(List.of("skopeo", "copy", "-q", "--dest-tls-verify=false"));
        if (user != null) {
            command.add("--dest-creds");
            command.add(user + ":" + password);
        }
        command.add(source);
        command.add("docker://" + host() + "/" + name);
        run(dir, command.toArray(String[]::new));
    }

    /** GET of a registry path with the registry's credentials, if any. */
    public HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host() + path))
                .version(HttpClient.Version.HTTP_1_1).header("Accept", accept).timeout(Duration.ofSeconds(10));
        authorize(request);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** PUT of a manifest or index. */
    public void putManifest(String repository, String tag, String mediaType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/" + repository
                + "/manifests/" + tag)).version(HttpClient.Version.HTTP_1_1).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        authorize(request);
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new AssertionError("PUT manifest " + tag + ": " + response.statusCode() + " " + response.body());
        }
    }

    private void authorize(HttpRequest.Builder request) {
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** How many blob downloads (GET .../blobs/...) the registry has served so far. */
    public long blobGets() {
        return log().lines().filter(l -> l.contains("\"GET /v2/") && l.contains("/blobs/sha256:")).count();
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs a tool in {@code dir}, standard input empty; its output, or an assertion error with its stderr. */
    public static String run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> text(p.getErrorStream()));
            String out = text(p.getInputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("hung: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: exit " + p.exitValue() + "\n--- stdout\n"
                        + out + "--- stderr\n" + err.join());
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String text(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Stops the registry by its PID (SIGTERM, then SIGKILL). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
