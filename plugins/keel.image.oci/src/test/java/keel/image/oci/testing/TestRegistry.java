package keel.image.oci.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Docker distribution registry ({@code /usr/bin/docker-registry}) on 127.0.0.1 and a free port,
 * its configuration, storage and log in a directory of the test's; with a user and password it
 * requires Basic auth from an htpasswd file (bcrypt, made by {@code htpasswd -B}). Stopped by its
 * process (PID) on close.
 */
public final class TestRegistry implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String user;
    private final String password;
    public final int port;

    private TestRegistry(Path dir, Process process, int port, String user, String password) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** Starts a registry; {@code user} null means anonymous access. */
    public static TestRegistry start(Path dir, String user, String password) throws Exception {
        Tools.require("docker-registry", "htpasswd", "skopeo");
        Files.createDirectories(dir);
        int port = freePort();
        StringBuilder config = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                .append("  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        if (user != null) {
            Tools.run(dir, "htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), user, password);
            config.append("auth:\n  htpasswd:\n    realm: keel-test\n    path: ").append(dir.resolve("htpasswd"))
                    .append('\n');
        }
        Path configFile = Files.writeString(dir.resolve("config.yml"), config);
        Process process = new ProcessBuilder("docker-registry", "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(dir, process, port, user, password);
        registry.awaitReady();
        return registry;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited: " + log());
            }
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
                        .version(HttpClient.Version.HTTP_1_1).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200 || response.statusCode() == 401) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new AssertionError("docker-registry did not answer within 20 s: " + log());
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** skopeo copies {@code source} (a transport reference) to {@code name} in this registry. */
    public void push(String source, String name, boolean all) {
        List<String> command = Tools.list("skopeo", "copy", "-q", "--dest-tls-verify=false");
        if (all) {
            command.add("--all");
        }
        if (user != null) {
            command.add("--dest-creds");
            command.add(user + ":" + password);
        }
        command.add(source);
        command.add("docker://" + host() + "/" + name);
        Tools.run(dir, command.toArray(String[]::new));
    }

    /** skopeo inspect --raw of {@code name} here: the manifest bytes the registry serves. */
    public String inspectRaw(String name, String... extra) {
        List<String> command = Tools.list("skopeo", "inspect", "--raw", "--tls-verify=false");
        command.addAll(List.of(extra));
        if (user != null) {
            command.add("--creds");
            command.add(user + ":" + password);
        }
        command.add("docker://" + host() + "/" + name);
        return Tools.run(dir, command.toArray(String[]::new));
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
