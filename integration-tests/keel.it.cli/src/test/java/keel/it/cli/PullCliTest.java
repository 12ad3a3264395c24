package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import keel.it.registry.TestRegistry;

/**
 * Pulls through the daemon from Debian's docker-registry on loopback, filled by skopeo with images
 * made by umoci from the busybox root filesystem: anonymous and Basic-auth pulls, a multi-platform
 * index, --pull policies, a daemon killed by kill -9 in the middle of a pull, and the disk space
 * that df reports and the prunes free.
 */
class PullCliTest {
    private static final String USER = "keel";
    private static final String PASSWORD = "s3cret-pass";

    static Path base;
    static TestRegistry registry;
    static TestRegistry privateRegistry;
    Keel keel;

    @BeforeAll
    static void registries() throws Exception {
        base = Path.of(System.getProperty("keel.it.tmp")).resolve("pull");
        Keel.deleteTree(base);
        Files.createDirectories(base);
        Path layout = images(base.resolve("images"));
        registry = TestRegistry.start(base.resolve("registry"), null, null);
        registry.push("oci:" + layout + ":amd64", "keel/busybox:latest");
        registry.push("oci:" + layout + ":arm64", "keel/busybox:arm64");
        registry.push("oci:" + layout + ":big", "keel/big:latest");
        multiPlatformIndex(registry, "keel/busybox", "multi");
        privateRegistry = TestRegistry.start(base.resolve("private"), USER, PASSWORD);
        privateRegistry.push("oci:" + layout + ":amd64", "keel/private:latest");
    }

    @AfterAll
    static void stopRegistries() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (privateRegistry != null) {
            privateRegistry.close();
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (keel != null) {
            for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
                keel.keel("rm", "-f", id);
            }
            keel.close();
        }
    }

    /**
     * An OCI layout (umoci) with: amd64 and arm64 (the busybox layer, configs for each
     * architecture) and big (amd64: busybox and a layer of 6 MiB of random bytes, which gzip
     * cannot shrink).
     */
    private static Path images(Path dir) throws Exception {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(dir);
        Keel.busyboxRootfs(rootfs);
        TestRegistry.run(dir, "tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C",
                "rootfs", "-cf", "layer.tar", ".");
        Path data = Files.createDirectories(dir.resolve("big"));
        byte[] random = new byte[6 << 20];
        new Random(42).nextBytes(random);
        Files.write(data.resolve("random.bin"), random);
        TestRegistry.run(dir, "tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C",
                "big", "-cf", "big.tar", ".");
        TestRegistry.run(dir, "umoci", "init", "--layout", "layout");
        for (String[] tagArch : new String[][] {{"amd64", "amd64"}, {"arm64", "arm64"}, {"big", "amd64"}}) {
            String image = "layout:" + tagArch[0];
            TestRegistry.run(dir, "umoci", "new", "--image", image);
            TestRegistry.run(dir, "umoci", "raw", "add-layer", "--image", image, "layer.tar");
            if (tagArch[0].equals("big")) {
                TestRegistry.run(dir, "umoci", "raw", "add-layer", "--image", image, "big.tar");
            }
            TestRegistry.run(dir, "umoci", "config", "--image", image, "--os", "linux", "--architecture", tagArch[1],
                    "--config.cmd", "/bin/sh");
        }
        return dir.resolve("layout");
    }

    /** Puts an index over repository:latest (amd64) and repository:arm64 as repository:tag. */
    private static void multiPlatformIndex(TestRegistry registry, String repository, String tag) throws Exception {
        String accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
        StringBuilder entries = new StringBuilder();
        String mediaType = null;
        for (String[] tagArch : new String[][] {{"latest", "amd64"}, {"arm64", "arm64"}}) {
            HttpResponse<byte[]> manifest = registry.get("/v2/" + repository + "/manifests/" + tagArch[0], accept);
            assertEquals(200, manifest.statusCode());
            mediaType = manifest.headers().firstValue("Content-Type").orElseThrow();
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(manifest.body()));
            entries.append(entries.length() == 0 ? "" : ",").append("{\"mediaType\":\"").append(mediaType)
                    .append("\",\"digest\":\"").append(digest).append("\",\"size\":").append(manifest.body().length)
                    .append(",\"platform\":{\"architecture\":\"").append(tagArch[1]).append("\",\"os\":\"linux\"}}");
        }
        String indexType = mediaType.contains("oci") ? "application/vnd.oci.image.index.v1+json"
                : "application/vnd.docker.distribution.manifest.list.v2+json";
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + indexType + "\",\"manifests\":[" + entries + "]}";
        registry.putManifest(repository, tag, indexType, index.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Keel daemon(String name) throws IOException, InterruptedException {
        keel = new Keel(name);
        Keel.deleteTree(keel.root);
        return keel;
    }

    @Test
    void anAnonymousPullRunsAndASecondPullDownloadsNothing() throws Exception {
        daemon("pull-anonymous");
        String image = registry.host() + "/keel/busybox:latest";
        long before = registry.blobGets();
        Keel.Result pull = keel.keel("pull", image);
        assertEquals(0, pull.code(), pull.toString());
        assertTrue(pull.out().contains("Digest: sha256:"), pull.out());
        long fetched = registry.blobGets() - before;
        assertEquals(2, fetched, "config and layer: " + registry.log());

        Keel.Result run = keel.keel("run", "--rm", "--network", "none", image, "echo", "hello from the registry");
        assertEquals(0, run.code(), run.toString());
        assertEquals("hello from the registry", run.out().trim());

        Keel.Result again = keel.keel("pull", image);
        assertEquals(0, again.code(), again.toString());
        assertEquals(before + fetched, registry.blobGets(), "the second pull downloaded blobs");
        assertFalse(again.out().contains("downloading"), again.out());
        assertTrue(again.out().contains(": exists"), again.out());
    }

    @Test
    void aMultiPlatformIndexGivesTheAskedPlatformAndTheLeftImagePrunes() throws Exception {
        daemon("pull-multi");
        String image = registry.host() + "/keel/busybox:multi";
        assertEquals(0, keel.keel("pull", image).code());
        assertTrue(architecture(keel.keel("inspect", image).out()).equals("amd64"));
        assertEquals("amd64-ok", keel.keel("run", "--rm", "--network", "none", image, "echo", "amd64-ok").out().trim());

        Keel.Result arm = keel.keel("pull", "--platform", "linux/arm64", image);
        assertEquals(0, arm.code(), arm.toString());
        assertEquals("arm64", architecture(keel.keel("inspect", image).out()));
        Keel.Result images = keel.keel("images");
        assertTrue(images.out().lines().anyMatch(l -> l.startsWith("<none>")), "the amd64 image is dangling: " + images);

        Path no = Files.writeString(keel.root.getParent().resolve("no"), "n\n");
        Keel.Result declined = keel.keelWithInput(no, "image", "prune");
        assertEquals(0, declined.code(), declined.toString());
        assertTrue(declined.out().contains("Are you sure you want to continue? [y/N]"), declined.out());
        assertFalse(declined.out().contains("Total reclaimed space"), declined.out());
        assertEquals(2, keel.keel("images", "-q").out().lines().count());

        Path yes = Files.writeString(keel.root.getParent().resolve("yes"), "y\n");
        Keel.Result prune = keel.keelWithInput(yes, "image", "prune");
        assertEquals(0, prune.code(), prune.toString());
        assertTrue(prune.out().contains("Deleted Images:") && prune.out().contains("Deleted: sha256:"), prune.out());
        assertTrue(reclaimed(prune.out()) > 0, prune.out());
        assertEquals(1, keel.keel("images", "-q").out().lines().count());
        assertEquals("arm64", architecture(keel.keel("inspect", image).out()));
        Keel.Result events = keel.keel("events", "--since", "5m", "--until", "0s", "--filter", "action=prune");
        assertEquals(1, events.out().lines().count(), events.toString());
        assertTrue(events.out().contains("image prune") && events.out().contains("reclaimed="), events.out());
    }

    private static String architecture(String inspect) {
        Matcher m = Pattern.compile("\"architecture\" : \"([a-z0-9]+)\"").matcher(inspect);
        assertTrue(m.find(), inspect);
        return m.group(1);
    }

    @Test
    void pullPolicies() throws Exception {
        daemon("pull-policy");
        String image = registry.host() + "/keel/busybox:latest";
        Keel.Result never = keel.keel("run", "--rm", "--network", "none", "--pull", "never", image, "true");
        assertNotEquals(0, never.code());
        assertTrue(never.err().contains("no such image"), never.toString());

        Keel.Result missing = keel.keel("run", "--rm", "--network", "none", image, "echo", "pulled");
        assertEquals(0, missing.code(), missing.toString());
        assertEquals("pulled", missing.out().trim());
        assertTrue(missing.err().contains("Unable to find image '" + image + "' locally"), missing.err());

        long before = registry.blobGets();
        Keel.Result always = keel.keel("run", "--rm", "--network", "none", "--pull", "always", image, "echo", "again");
        assertEquals(0, always.code(), always.toString());
        assertEquals("again", always.out().trim());
        assertTrue(always.err().contains(": exists") && always.err().contains("Digest: sha256:"), always.err());
        assertEquals(before, registry.blobGets());

        Keel.Result bad = keel.keel("create", "--pull", "sometimes", image);
        assertEquals(125, bad.code(), bad.toString());
        assertTrue(bad.err().contains("invalid --pull 'sometimes'"), bad.err());
    }

    @Test
    void aRegistryWithBasicAuthNeedsALogin() throws Exception {
        daemon("pull-auth");
        String image = privateRegistry.host() + "/keel/private:latest";
        Keel.Result refused = keel.keel("pull", image);
        assertNotEquals(0, refused.code());
        assertTrue(refused.err().contains("authentication required") && refused.err().contains("credentials"),
                refused.toString());

        Path wrong = Files.writeString(keel.root.getParent().resolve("wrong"), "not-the-password\n");
        Keel.Result rejected = keel.keelWithInput(wrong, "login", "-u", USER, "--password-stdin",
                privateRegistry.host());
        assertNotEquals(0, rejected.code());
        assertTrue(rejected.err().contains("rejected the credentials"), rejected.toString());
        assertFalse(Files.exists(keel.root.resolve("auth/registries.json")), "refused credentials were stored");

        Path right = Files.writeString(keel.root.getParent().resolve("right"), PASSWORD + "\n");
        Keel.Result login = keel.keelWithInput(right, "login", "-u", USER, "--password-stdin",
                privateRegistry.host());
        assertEquals(0, login.code(), login.toString());
        assertEquals("Login Succeeded", login.out().trim());
        Path credentials = keel.root.resolve("auth/registries.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.getParent())));
        assertTrue(Files.readString(credentials).contains(privateRegistry.host()));

        Keel.Result pull = keel.keel("pull", image);
        assertEquals(0, pull.code(), pull.toString());
        assertEquals("private", keel.keel("run", "--rm", "--network", "none", image, "echo", "private").out().trim());

        Keel.Result logout = keel.keel("logout", privateRegistry.host());
        assertEquals("Removing login credentials for " + privateRegistry.host(), logout.out().trim());
        assertFalse(Files.readString(credentials).contains(privateRegistry.host()));
        assertNotEquals(0, keel.keel("pull", image).code());
        Keel.Result noUser = keel.keel("login", "-p", "x", privateRegistry.host());
        assertEquals(125, noUser.code());
        assertTrue(noUser.err().contains("-u USER"), noUser.err());
    }

    @Test
    void aDaemonKilledInTheMiddleOfAPullLeavesNoImageAndTheNextPullCompletes() throws Exception {
        daemon("pull-killed");
        assertEquals(0, keel.keel("version").code()); // the daemon runs
        try (StallingProxy proxy = new StallingProxy(registry.host())) {
            String image = proxy.host() + "/keel/big:latest";
            Path output = keel.root.getParent().resolve("killed-pull.out");
            Process client = Keel.builder(keel.command(List.of("pull", image))).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            assertTrue(proxy.stalled.await(60, TimeUnit.SECONDS), "the pull never reached the big layer");
            long pid = keel.daemonPid();
            ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
            assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor());
            daemon.onExit().get(10, TimeUnit.SECONDS);
            assertTrue(client.waitFor(30, TimeUnit.SECONDS));
            assertNotEquals(0, client.exitValue(), Files.readString(output));
            proxy.release();

            Keel.Result images = keel.keel("images"); // a new daemon
            assertTrue(keel.daemonPid() > 0 && keel.daemonPid() != pid);
            assertFalse(images.out().contains("keel/big"), images.toString());
            try (Stream<Path> ingest = Files.list(keel.root.resolve("content/ingest"))) {
                assertEquals(0, ingest.count(), "half-written blobs are left in content/ingest");
            }
            Keel.Result pull = keel.keel("pull", image);
            assertEquals(0, pull.code(), pull.toString());
            Keel.Result run = keel.keel("run", "--rm", "--network", "none", image, "sh", "-c",
                    "wc -c < /random.bin");
            assertEquals(String.valueOf(6 << 20), run.out().trim(), run.toString());
        }
    }

    @Test
    void aPruneDuringAPullWaitsForItAndTakesNothingItWrote() throws Exception {
        daemon("pull-race");
        assertEquals(0, keel.keel("version").code());
        try (StallingProxy proxy = new StallingProxy(registry.host())) {
            String image = proxy.host() + "/keel/big:latest";
            Path pullOut = keel.root.getParent().resolve("race-pull.out");
            Path pruneOut = keel.root.getParent().resolve("race-prune.out");
            Process pull = Keel.builder(keel.command(List.of("pull", image))).redirectErrorStream(true)
                    .redirectOutput(pullOut.toFile()).start();
            assertTrue(proxy.stalled.await(60, TimeUnit.SECONDS), "the pull never reached the big layer");
            Process prune = Keel.builder(keel.command(List.of("system", "prune", "-a", "-f"))).redirectErrorStream(true)
                    .redirectOutput(pruneOut.toFile()).start();
            // what the pull has written belongs to no image yet: a prune that did not wait would take it
            assertFalse(prune.waitFor(3, TimeUnit.SECONDS), "the prune ran in the middle of the pull: "
                    + Files.readString(pruneOut));
            proxy.release();
            assertTrue(pull.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, pull.exitValue(), Files.readString(pullOut));
            assertTrue(prune.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, prune.exitValue(), Files.readString(pruneOut));
            Keel.Result run = keel.keel("run", "--rm", "--network", "none", "--pull", "never", image, "sh", "-c",
                    "wc -c < /random.bin");
            assertEquals(String.valueOf(6 << 20), run.out().trim(), run.toString());
        }
    }

    @Test
    void dfMeasuresAndPruneFreesWhatNothingUses() throws Exception {
        daemon("pull-space");
        String busybox = registry.host() + "/keel/busybox:latest";
        String big = registry.host() + "/keel/big:latest";
        assertEquals(0, keel.keel("pull", busybox).code());
        assertEquals(0, keel.keel("pull", big).code());
        Keel.Result keeper = keel.keel("run", "-d", "--name", "keeper", "--network", "none", busybox, "sleep", "600");
        assertEquals(0, keeper.code(), keeper.toString());
        Keel.Result stopped = keel.keel("run", "--name", "stopped", "--network", "none", big, "sh", "-c",
                "head -c 100000 /random.bin > /written");
        assertEquals(0, stopped.code(), stopped.toString());

        long[] measured = measure(keel.root);
        Keel.Result df = keel.keel("system", "df", "--format", "json");
        assertEquals(0, df.code(), df.toString());
        long[] images = summary(df.out(), "images");
        long[] containers = summary(df.out(), "containers");
        assertEquals(2, images[0]);
        assertEquals(2, images[1], "both images have a container");
        assertEquals(measured[0], images[2], "images: the blobs' bytes and the layers' blocks");
        assertEquals(0, images[3], "nothing is reclaimable while every image has a container");
        assertEquals(2, containers[0]);
        assertEquals(1, containers[1]);
        assertEquals(measured[1], containers[2], "containers: their writable layers' blocks");
        assertTrue(containers[3] >= 100_000, "the stopped container's layer is reclaimable: " + df.out());
        assertTrue(summary(df.out(), "volumes")[0] == 0);
        Keel.Result table = keel.keel("system", "df");
        assertTrue(table.out().lines().anyMatch(l -> l.matches("Images\\s+2\\s+2\\s+[0-9.]+MB\\s+0B \\(0%\\)")), table.out());
        Keel.Result verbose = keel.keel("system", "df", "-v");
        assertTrue(verbose.out().contains("Images space usage:") && verbose.out().contains("keeper"), verbose.out());

        Keel.Result prune = keel.keel("system", "prune", "-a", "-f");
        assertEquals(0, prune.code(), prune.toString());
        assertTrue(prune.out().contains("Deleted Containers:"), prune.out());
        assertTrue(prune.out().contains("Untagged: " + big), prune.out());
        double reclaimedMb = reclaimed(prune.out()) / 1e6;
        assertTrue(reclaimedMb >= 12, "the big layer's blob and its unpacked layer: " + prune.out());
        Keel.Result left = keel.keel("images");
        assertEquals(1, left.out().lines().filter(l -> l.contains("/keel/")).count(), left.out());
        assertTrue(left.out().contains("/keel/busybox"), left.out());
        assertEquals(3, blobs(keel.root), "busybox's manifest, config and layer stay");
        assertEquals("still runs", keel.keel("run", "--rm", "--network", "none", busybox, "echo", "still runs").out()
                .trim());
        assertEquals("alive", keel.keel("exec", "keeper", "echo", "alive").out().trim());
        long[] after = summary(keel.keel("system", "df", "--format", "json").out(), "images");
        assertEquals(1, after[0]);
        assertEquals(measure(keel.root)[0], after[2]);

        assertEquals(0, keel.keel("rm", "-f", "keeper").code());
        Keel.Result rmi = keel.keel("rmi", busybox);
        assertEquals(0, rmi.code(), rmi.toString());
        assertTrue(rmi.out().lines().filter(l -> l.startsWith("Deleted: sha256:")).count() >= 2, rmi.out());
        assertEquals(0, blobs(keel.root), "rmi freed the blobs");
        assertEquals(0, snapshots(keel.root), "rmi freed the layers");
        assertEquals("0B", keel.keel("system", "df").out().lines().filter(l -> l.startsWith("Images"))
                .map(l -> l.split("\\s+")[3]).findFirst().orElseThrow());
    }

    /** [images, containers]: blob bytes plus committed layers' blocks, and active snapshots' blocks (du). */
    private static long[] measure(Path root) throws Exception {
        long blobBytes = 0;
        try (Stream<Path> files = Files.list(root.resolve("content/blobs/sha256"))) {
            for (Path f : files.toList()) {
                blobBytes += Files.size(f);
            }
        }
        long layers = 0;
        long writable = 0;
        for (Path storage : storages(root)) {
            try (Stream<Path> records = Files.list(storage.resolve("meta"))) {
                for (Path record : records.toList()) {
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(record)) {
                        p.load(in);
                    }
                    Keel.Result du = Keel.exec(List.of("du", "-s", "-x", "-B1", storage.resolve("fs").resolve(p
                            .getProperty("id")).toString()));
                    long bytes = Long.parseLong(du.out().split("\\s+")[0]);
                    if (p.getProperty("kind").equals("COMMITTED")) {
                        layers += bytes;
                    } else {
                        writable += bytes;
                    }
                }
            }
        }
        return new long[] {blobBytes + layers, writable};
    }

    /** The state directories of the storage drivers (each driver keeps its own snapshots). */
    private static List<Path> storages(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("storage.")
                    && Files.isDirectory(d.resolve("meta"))).toList();
        }
    }

    private static long blobs(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("content/blobs/sha256"))) {
            return files.count();
        }
    }

    private static long snapshots(Path root) throws IOException {
        long count = 0;
        for (Path storage : storages(root)) {
            try (Stream<Path> files = Files.list(storage.resolve("meta"))) {
                count += files.count();
            }
        }
        return count;
    }

    /** [total, active, size, reclaimable] of one kind in df's JSON. */
    private static long[] summary(String json, String kind) {
        Matcher m = Pattern.compile("\"" + kind + "\" : \\{\\s*\"total\" : (\\d+),\\s*\"active\" : (\\d+),\\s*"
                + "\"size\" : (\\d+),\\s*\"reclaimable\" : (\\d+)").matcher(json);
        assertTrue(m.find(), kind + " in " + json);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4))};
    }

    /** The bytes of "Total reclaimed space: X" (X as docker prints sizes: 12.6MB, 512B). */
    private static long reclaimed(String out) {
        Matcher m = Pattern.compile("Total reclaimed space: ([0-9.]+)(B|kB|MB|GB)").matcher(out);
        assertTrue(m.find(), out);
        double value = Double.parseDouble(m.group(1));
        return (long) (value * switch (m.group(2)) {
            case "kB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            default -> 1;
        });
    }
}
