package keel.it.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.container.ContainerStatus;
import keel.api.container.ExecConfig;
import keel.api.container.LogEntry;
import keel.api.driver.DriverKind;
import keel.api.image.ImageService;
import keel.api.image.Platform;
import keel.api.image.RegistryAuth;
import keel.api.kernel.DriverReport;
import keel.api.kernel.DriverService;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.api.network.NetworkService;
import keel.api.runtime.Resources;
import keel.it.registry.TestRegistry;

/**
 * Every kind of driver updated (a new revision of its bundle), then replaced (another bundle with
 * the same driver id ranked above it is installed, then the plugin's bundle uninstalled), one kind
 * after another, while 20 containers run on the default bridge network from an image on overlay
 * snapshots, each with a 64 MiB limit and a log it writes to every 100 ms, two of them in one TCP
 * conversation, and while a client loop keeps doing run --rm, exec, logs, stats, image imports
 * (which unpack a layer) and pulls from a local registry (Debian's docker-registry).
 *
 * <p>Nothing of the 20 dies or loses its limit, address or log; every request of the loop succeeds
 * or fails with the "no driver bound" error, none hangs; afterwards the replacements are bound and
 * all 20 exec, log, stop and go. The test prints, per kind, how long no driver of it was bound
 * during the update and during the replacement, and what the loop saw meanwhile. At the end the
 * plugins' bundles are installed again and the replacements uninstalled (a replacement again).
 */
class SwapUnderLoadTest {
    static final int CONTAINERS = 20;
    static final long LIMIT = 64L << 20;
    static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    static final String TICKER = "ip -4 -o addr show eth0; i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.1; done";

    /** The driver bundles in the order they are updated, with their kind. */
    static final Map<String, DriverKind> DRIVERS = new LinkedHashMap<>();

    static {
        DRIVERS.put("keel.isolation.linux", DriverKind.ISOLATION);
        DRIVERS.put("keel.layer.tar", DriverKind.LAYER);
        DRIVERS.put("keel.cgroup.v1", DriverKind.CGROUP);
        DRIVERS.put("keel.storage.overlay", DriverKind.STORAGE);
        DRIVERS.put("keel.network.bridge", DriverKind.NETWORK);
    }

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ContainerService containers;

    @InjectService
    ImageService images;

    @InjectService
    DriverService drivers;

    @InjectService
    EventService events;

    @InjectService
    NetworkService networks;

    static Path work;
    static TestRegistry registry;
    static String pulled;
    final List<String> started = new ArrayList<>();
    /** The plugins' bundles uninstalled by a replacement: their locations, to install them again. */
    final Map<String, String> replacedLocations = new LinkedHashMap<>();

    @BeforeAll
    static void busybox(@InjectBundleContext BundleContext context) throws Exception {
        work = Fixtures.busyboxTar(context, "swap-under-load");
        registry(work);
    }

    /** A registry on 127.0.0.1 and a free port, with the busybox layer as keel/busybox:latest (umoci, skopeo). */
    private static void registry(Path work) throws Exception {
        Path images = work.resolve("images");
        Fixtures.sh("rm", "-rf", images.toString(), work.resolve("registry").toString());
        Files.createDirectories(images);
        TestRegistry.run(images, "umoci", "init", "--layout", "layout");
        TestRegistry.run(images, "umoci", "new", "--image", "layout:latest");
        TestRegistry.run(images, "umoci", "raw", "add-layer", "--image", "layout:latest",
                work.resolve("busybox.tar").toString());
        TestRegistry.run(images, "umoci", "config", "--image", "layout:latest", "--os", "linux", "--architecture",
                "amd64", "--config.cmd", "/bin/sh");
        registry = TestRegistry.start(work.resolve("registry"), null, null);
        System.out.println("[swap under load] registry pid " + registry.pid() + " on " + registry.host());
        registry.push("oci:" + images.resolve("layout") + ":latest", "keel/busybox:latest");
        pulled = registry.host() + "/keel/busybox:latest";
    }

    @AfterAll
    static void removeParent() throws Exception {
        if (registry != null) {
            registry.close(); // by its PID
            System.out.println("[swap under load] registry pid " + registry.pid() + " stopped");
        }
        Fixtures.removeCgroupParent();
    }

    @Test
    void everyDriverKindIsUpdatedThenReplacedUnderTwentyRunningContainersAndALoadLoop() throws Exception {
        images.importRootfs(work.resolve("busybox.tar"), "busybox:swap");
        // no CNI driver standing in while the bridge driver is updated: it would make its own bridge
        // (keelcni0) and host rules for the loop's containers, which this test does not clean up
        Bundle cni = Fixtures.bundle(context, "keel.network.cni");
        cni.stop();
        try {
            String server = start("nc-server", List.of("sh", "-c", "ip -4 -o addr show eth0; sleep 100000 | nc -l -p 7000"));
            String serverAddress = address(server, 0);
            start("nc-client", List.of("sh", "-c", "ip -4 -o addr show eth0; sleep 1; i=0; "
                    + "while :; do echo msg-$i; i=$((i+1)); sleep 0.1; done | nc " + serverAddress + " 7000"));
            for (int i = 2; i < CONTAINERS; i++) {
                start("ticker-" + i, List.of("sh", "-c", TICKER));
            }
            Map<String, String> addresses = new LinkedHashMap<>();
            for (String id : started) {
                addresses.put(id, address(id, 0));
            }
            assertEquals(CONTAINERS, addresses.values().stream().distinct().count(), "addresses " + addresses);
            for (String id : started) { // in each container's writable layer: found again after the swaps
                assertEquals(0, containers.exec(id, new ExecConfig(List.of("sh", "-c", "echo " + id + " > /marker"),
                        null, null, null, false, false), null).code());
            }
            Thread.sleep(1500);
            int messagesBefore = count(server, "msg-");

            Load load = new Load(started.get(2));
            Thread loop = new Thread(load, "swap-load");
            loop.start();
            Map<DriverKind, Long> unbound = new LinkedHashMap<>();
            Map<DriverKind, Long> unboundReplacing = new LinkedHashMap<>();
            Map<DriverKind, String> ids = new LinkedHashMap<>();
            try {
                Thread.sleep(1000);
                for (Map.Entry<String, DriverKind> driver : DRIVERS.entrySet()) {
                    ids.put(driver.getValue(), bound(driver.getValue()).id());
                    System.out.println("[swap under load] " + Instant.now() + " updating " + driver.getKey());
                    unbound.put(driver.getValue(), update(driver.getKey(), driver.getValue()));
                    Thread.sleep(1000); // the loop works with the new driver for a while
                    System.out.println("[swap under load] " + Instant.now() + " replacing " + driver.getKey());
                    unboundReplacing.put(driver.getValue(), replace(driver.getKey(), driver.getValue()));
                    Thread.sleep(1000);
                }
            } finally {
                load.stop.set(true);
                loop.join(120_000);
            }
            assertTrue(!loop.isAlive(), "the load loop hung: " + load.current);
            System.out.println("[swap under load] no driver bound, per kind (ms), update: " + unbound);
            System.out.println("[swap under load] no driver bound, per kind (ms), replace: " + unboundReplacing);
            load.failures.forEach(f -> System.out.println("[swap under load] failed: " + f));
            System.out.println("[swap under load] loop: " + load.done + " requests done (" + load.pulls + " pulls), "
                    + load.unavailable + " refused with 'no driver bound', longest " + load.longest + " ms");
            assertTrue(load.failures.isEmpty(), "requests failed otherwise than 'no driver bound': " + load.failures);
            assertTrue(load.done.get() >= 10, "the loop hardly ran: " + load.done);
            assertTrue(load.pulls.get() > 0, "no pull succeeded");
            for (Map.Entry<String, DriverKind> driver : DRIVERS.entrySet()) {
                DriverReport bound = bound(driver.getValue());
                assertEquals(driver.getKey() + ".replacement", bound.bundle(), driver.getValue() + " bound: " + bound);
                assertEquals(ids.get(driver.getValue()), bound.id(), "the replacement is the same driver");
            }

            for (String id : started) {
                ContainerInfo info = containers.inspect(id);
                if (info.state().status() != ContainerStatus.RUNNING) {
                    System.out.println("[swap under load] " + info.name() + ": " + info.state());
                }
            }
            for (String id : started) {
                ContainerInfo info = containers.inspect(id);
                assertEquals(ContainerStatus.RUNNING, info.state().status(), info.name() + " did not survive");
                assertEquals(LIMIT, containers.stats(id).memoryLimit(), info.name() + " lost its limit");
                // the exec writes to the container's own stdout, so its output lands in the log
                assertEquals(0, containers.exec(id, new ExecConfig(List.of("sh", "-c",
                        "ip -4 -o addr show eth0 > /proc/1/fd/1"), null, null, null, false, false), null).code());
                assertEquals(0, containers.exec(id, new ExecConfig(List.of("grep", "-qx", id, "/marker"), null, null,
                        null, false, false), null).code(), info.name() + " lost its root mount");
            }
            for (String id : started.subList(2, CONTAINERS)) {
                assertNoGap(id, "tick-");
            }
            assertNoGap(server, "msg-");
            Thread.sleep(500);
            for (String id : started) {
                assertEquals(addresses.get(id), address(id, 1), "the address of " + id + " changed");
            }
            // new containers after the swaps get addresses that collide with none of the 20
            for (int i = 0; i < 3; i++) {
                String fresh = start("after-" + i, List.of("sh", "-c", TICKER));
                String address = address(fresh, 0);
                assertTrue(!addresses.containsValue(address), "new container got a taken address " + address);
                addresses.put(fresh, address);
            }
            int ticks = count(started.get(5), "tick-");
            Thread.sleep(1000);
            assertTrue(count(started.get(5), "tick-") > ticks, "a container's log stopped growing");
            int messages = count(server, "msg-");
            assertTrue(messages > messagesBefore, "no message went over the TCP connection during the swaps");
            Thread.sleep(1000);
            assertTrue(count(server, "msg-") > messages, "the TCP conversation did not survive the swaps");
            for (String id : started) {
                assertEquals(ContainerStatus.STOPPED, containers.stop(id, Duration.ofSeconds(1)).state().status());
                containers.remove(id, false);
                assertTrue(containers.list(true).stream().noneMatch(c -> c.id().equals(id)), id + " was not removed");
            }
            restorePlugins();
        } finally {
            cleanUp();
            try {
                if (!replacedLocations.isEmpty()) {
                    restorePlugins();
                }
            } catch (Exception | AssertionError e) {
                System.out.println("[swap under load] cannot install the plugins again: " + e);
            } finally {
                cni.start();
            }
        }
    }

    /** Removes every container of the image (the loop's too, should one be left) and what the test made. */
    private void cleanUp() {
        for (ContainerInfo c : containers.list(true)) {
            if (c.name().startsWith("swap-") || "busybox:swap".equals(c.config().image())) {
                try {
                    containers.remove(c.id(), true);
                } catch (RuntimeException e) {
                    System.out.println("[swap under load] cannot remove " + c.name() + ": " + e);
                }
            }
        }
        try {
            images.remove("busybox:swap", false);
            networks.removeNetwork("bridge"); // the default bridge (keel0) and its rules go with the last user
        } catch (RuntimeException e) {
            System.out.println("[swap under load] cleanup: " + e);
        }
    }

    /**
     * Updates the bundle of a bound driver; returns how long its kind had no driver bound (ms), and
     * prints what was bound meanwhile (a lower-ranked driver of another id may stand in).
     */
    private long update(String bundleName, DriverKind kind) throws Exception {
        return watch(kind, bundleName, () -> Fixtures.bundle(context, bundleName).update());
    }

    /**
     * Replaces the plugin's bundle of a bound driver: installs and starts the bundle with the same
     * driver ranked 100 (integration-tests/replacement-drivers), waits for the kernel to bind it,
     * then uninstalls the plugin's bundle. Returns how long its kind had no driver bound (ms).
     */
    private long replace(String bundleName, DriverKind kind) throws Exception {
        String replacement = bundleName + ".replacement";
        Path jar = Path.of(context.getProperty("keel.it.replacements"))
                .resolve(replacement + "/target/" + replacement + ".jar");
        Bundle plugin = Fixtures.bundle(context, bundleName);
        long window = watch(kind, replacement, () -> {
            try (InputStream in = Files.newInputStream(jar)) {
                context.installBundle("keel-it:" + replacement, in).start();
            }
        });
        replacedLocations.put(bundleName, plugin.getLocation());
        window = Math.max(window, watch(kind, null, plugin::uninstall));
        // one rebind (its unbind and bind events carry one time), and none when the old one leaves
        assertEquals(0, window, kind + ": a replacement left the kind without a driver");
        return window;
    }

    /**
     * Installs the plugins' bundles again (ranked below the replacements), then uninstalls the
     * replacements; each plugin's driver then answers (the storage driver only once the replacement
     * closed and let go of its state).
     */
    private void restorePlugins() throws Exception {
        for (Map.Entry<String, String> replaced : List.copyOf(replacedLocations.entrySet())) {
            DriverKind kind = DRIVERS.get(replaced.getKey());
            Bundle replacement = Fixtures.bundle(context, replaced.getKey() + ".replacement");
            installAgain(replaced.getValue()).start();
            long window = watch(kind, replaced.getKey(), replacement::uninstall);
            replacedLocations.remove(replaced.getKey());
            System.out.println("[swap under load] " + kind.label() + " back to " + replaced.getKey() + ": no driver "
                    + "bound for " + window + " ms");
            assertEquals(replaced.getKey(), bound(kind).bundle());
            drivers.probe(kind);
        }
    }

    /**
     * Installs a plugin's bundle again at the location the launcher gave it (so that the later
     * tests can update it from there), through the test bundle's own context: osgi-test uninstalls
     * what is installed through the injected one when the test ends.
     */
    private Bundle installAgain(String location) throws Exception {
        Path jar = Path.of(location.replaceFirst("^(reference:)?(file:)?", ""));
        try (InputStream in = Files.newInputStream(jar)) {
            return FrameworkUtil.getBundle(SwapUnderLoadTest.class).getBundleContext().installBundle(location, in);
        }
    }

    /**
     * Does {@code change} while watching the kernel's bind and unbind events of {@code kind}; waits
     * until the driver of bundle {@code bindsBundle} is bound (null: no bind expected, 200 ms of
     * events are collected), and returns the longest time no driver of the kind was bound (ms).
     */
    private long watch(DriverKind kind, String bindsBundle, BundleChange change) throws Exception {
        List<Event> sequence = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = events.subscribe(e -> {
            if (e.type().equals("driver") && e.actor().startsWith(kind.label() + "/")) {
                sequence.add(e);
            }
        })) {
            change.run();
            long deadline = System.currentTimeMillis() + 15_000;
            while (bindsBundle != null && System.currentTimeMillis() < deadline
                    && sequence.stream().noneMatch(e -> e.action().equals("bind")
                            && bindsBundle.equals(e.attributes().get("bundle")))) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // a stand-in's unbind and the driver's bind come right after
        }
        List<String> seen = sequence.stream()
                .map(e -> e.action() + " " + e.actor() + " (" + e.attributes().get("bundle") + ")").toList();
        System.out.println("[swap under load] " + kind.label() + ": " + seen);
        assertTrue(bindsBundle == null || sequence.stream().anyMatch(e -> e.action().equals("bind")
                && bindsBundle.equals(e.attributes().get("bundle"))), kind + ": " + bindsBundle + " not bound: "
                + seen);
        Instant unboundSince = null;
        long longest = 0;
        for (Event e : sequence) {
            if (e.action().equals("unbind") && unboundSince == null) {
                unboundSince = e.time();
            } else if (e.action().equals("bind") && unboundSince != null) {
                longest = Math.max(longest, Duration.between(unboundSince, e.time()).toMillis());
                unboundSince = null;
            }
        }
        assertTrue(unboundSince == null, kind + " was left with no driver bound: " + seen);
        return longest;
    }

    interface BundleChange {
        void run() throws Exception;
    }

    private DriverReport bound(DriverKind kind) {
        return drivers.drivers().stream().filter(r -> r.kind() == kind).findFirst().orElseThrow().bound()
                .orElseThrow(() -> new AssertionError("no " + kind.label() + " driver bound"));
    }

    private String start(String name, List<String> command) {
        ContainerConfig config = new ContainerConfig("swap-" + name, "busybox:swap", null, null, command, null, null,
                null, null, false, false, false, false, null,
                new Resources(new Resources.Memory(LIMIT, null, null, null), null, null, null, null), "bridge", null,
                null, null, null, null);
        ContainerInfo info = containers.create(config);
        started.add(info.id());
        containers.start(info.id(), null);
        return info.id();
    }

    /** The index-th address a container printed to its log ({@code ip -4 -o addr show eth0}). */
    private String address(String id, int index) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            List<String> found = new ArrayList<>();
            containers.logs(id, -1, false, () -> true, e -> {
                Matcher m = INET.matcher(e.text());
                if (m.find()) {
                    found.add(m.group(1));
                }
            });
            if (found.size() > index) {
                return found.get(index);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("container " + id + " printed no address #" + index);
    }

    private int count(String id, String prefix) {
        AtomicInteger lines = new AtomicInteger();
        containers.logs(id, -1, false, () -> true, (LogEntry e) -> {
            if (e.text().startsWith(prefix)) {
                lines.incrementAndGet();
            }
        });
        return lines.get();
    }

    /** The numbered lines {@code PREFIX0, PREFIX1, ...} of a container's log, none missing. */
    private void assertNoGap(String id, String prefix) {
        List<Integer> numbers = new ArrayList<>();
        containers.logs(id, -1, false, () -> true, (LogEntry e) -> {
            if (e.text().startsWith(prefix)) {
                numbers.add(Integer.parseInt(e.text().substring(prefix.length()).strip()));
            }
        });
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i), id + ": log line " + prefix + i + " is missing or out of order");
        }
    }

    /** The client loop: run --rm, exec, logs, stats, an import and a pull, again and again. */
    final class Load implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger pulls = new AtomicInteger();
        final AtomicInteger unavailable = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        volatile String current = "";
        volatile long longest;
        private final String target;

        Load(String target) {
            this.target = target;
        }

        @Override
        public void run() {
            for (int round = 0; !stop.get(); round++) {
                request("run --rm", () -> {
                    ContainerInfo c = containers.create(new ContainerConfig(null, "busybox:swap", null, null,
                            List.of("true"), null, null, null, null, false, false, false, false, null, null, "bridge",
                            null, null, null, null, null));
                    try {
                        containers.start(c.id(), null);
                        assertEquals(0, containers.await(c.id(), Duration.ofSeconds(30)).code());
                    } finally {
                        containers.remove(c.id(), true);
                    }
                });
                request("exec", () -> assertEquals(0, containers.exec(target,
                        new ExecConfig(List.of("true"), null, null, null, false, false), null).code()));
                request("logs", () -> containers.logs(target, 5, false, () -> true, e -> { }));
                request("stats", () -> assertEquals(LIMIT, containers.stats(target).memoryLimit()));
                int n = round;
                request("import", () -> {
                    Path layer = work.resolve("tiny-" + n + ".tar");
                    Path dir = work.resolve("tiny-" + n);
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve("round"), Integer.toString(n));
                    Fixtures.sh("tar", "-C", dir.toString(), "-cf", layer.toString(), ".");
                    images.importRootfs(layer, "tiny:" + n);
                    images.remove("tiny:" + n, false);
                });
                // removed again, so that each pull fetches the blobs
                request("pull", () -> {
                    images.pull(pulled, Platform.LINUX_AMD64, RegistryAuth.ANONYMOUS,
                            (blob, status, bytes, total) -> { });
                    images.remove(pulled, false);
                    pulls.incrementAndGet();
                });
            }
        }

        private void request(String what, ThrowingRunnable request) {
            current = what;
            long start = System.nanoTime();
            try {
                request.run();
                done.incrementAndGet();
            } catch (KeelException e) {
                if (noDriverBound(e)) {
                    unavailable.incrementAndGet();
                } else {
                    failures.add(Instant.now() + " " + what + ": " + e);
                }
            } catch (Exception | Error e) { // an Error too: a driver's class gone with its bundle must not end the loop
                failures.add(Instant.now() + " " + what + ": " + e);
            } finally {
                longest = Math.max(longest, (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    /**
     * The kernel's retryable errors when no driver is there: none bound for the kind, or none
     * registered with the id that made a container's part (DriverSlot).
     */
    static boolean noDriverBound(KeelException e) {
        String message = String.valueOf(e.getMessage());
        return e.kind() == ErrorKind.UNAVAILABLE && message.startsWith("no ")
                && (message.contains(" driver is bound (waited") || message.contains("' is registered (waited"));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
