package keel.it.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.container.ContainerStatus;
import keel.api.container.ExecConfig;
import keel.api.container.LogEntry;
import keel.api.driver.DriverKind;
import keel.api.image.ImageService;
import keel.api.kernel.DriverService;
import keel.api.kernel.EventService;
import keel.api.network.NetworkService;
import keel.api.runtime.Resources;

/**
 * Every kind of driver updated (a new revision of its bundle) one after another while 20
 * containers run on the default bridge network from an image on overlay snapshots, each with a
 * 64 MiB limit and a log it writes to every 100 ms, two of them in one TCP conversation, and while a
 * client loop keeps doing run --rm, exec, logs, stats and image imports (which unpack a layer).
 *
 * <p>Nothing of the 20 dies or loses its limit, address or log; every request of the loop succeeds
 * or fails with the "no driver bound" error, none hangs; afterwards all 20 exec, stop and go. The
 * test prints, per kind, how long no driver of it was bound and what the loop saw meanwhile.
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

    static Path rootfs;
    static Path work;
    final List<String> started = new ArrayList<>();

    @BeforeAll
    static void busybox(@InjectBundleContext BundleContext context) throws Exception {
        rootfs = Path.of(context.getProperty("keel.it.rootfs"));
        work = rootfs.resolveSibling("swap-under-load");
        Files.createDirectories(work);
        if (!Files.exists(rootfs.resolve("bin/busybox"))) {
            sh("bash", Path.of(context.getProperty("keel.it.bench")).resolve("busybox-rootfs.sh").toString(),
                    rootfs.toString());
        }
        sh("tar", "-C", rootfs.toString(), "-cf", work.resolve("busybox.tar").toString(), ".");
    }

    @AfterAll
    static void removeParent() throws IOException {
        DriverUpdateUnderContainersTest.removeParent();
    }

    @Test
    void everyDriverKindIsUpdatedUnderTwentyRunningContainersAndALoadLoop() throws Exception {
        images.importRootfs(work.resolve("busybox.tar"), "busybox:swap");
        // no CNI driver standing in while the bridge driver is updated: it would make its own bridge
        // (keelcni0) and host rules for the loop's containers, which this test does not clean up
        Bundle cni = bundle("keel.network.cni");
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
            Thread.sleep(1500);
            int messagesBefore = count(server, "msg-");

            Load load = new Load(started.get(2));
            Thread loop = new Thread(load, "swap-load");
            loop.start();
            Map<DriverKind, Long> unbound = new LinkedHashMap<>();
            try {
                Thread.sleep(1000);
                for (Map.Entry<String, DriverKind> driver : DRIVERS.entrySet()) {
                    System.out.println("[swap under load] " + Instant.now() + " updating " + driver.getKey());
                    unbound.put(driver.getValue(), update(driver.getKey(), driver.getValue()));
                    Thread.sleep(1000); // the loop works with the new driver for a while
                }
            } finally {
                load.stop.set(true);
                loop.join(120_000);
            }
            assertTrue(!loop.isAlive(), "the load loop hung: " + load.current);
            System.out.println("[swap under load] no driver bound, per kind (ms): " + unbound);
            load.failures.forEach(f -> System.out.println("[swap under load] failed: " + f));
            System.out.println("[swap under load] loop: " + load.done + " requests done, "
                    + load.unavailable + " refused with 'no driver bound', longest " + load.longest + " ms");
            assertTrue(load.failures.isEmpty(), "requests failed otherwise than 'no driver bound': " + load.failures);
            assertTrue(load.done.get() >= 10, "the loop hardly ran: " + load.done);

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
            }
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
        } finally {
            cleanUp();
            cni.start();
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
        List<String> sequence = new CopyOnWriteArrayList<>();
        Map<String, Instant> seen = new ConcurrentHashMap<>();
        try (AutoCloseable watch = events.subscribe(e -> {
            if (e.type().equals("driver") && e.actor().startsWith(kind.label() + "/")) {
                sequence.add(e.action() + " " + e.actor());
                seen.putIfAbsent(e.action(), e.time());
            }
        })) {
            bundle(bundleName).update();
            long deadline = System.currentTimeMillis() + 15_000;
            while (!(seen.containsKey("unbind") && seen.containsKey("bind")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // a stand-in's unbind and the updated driver's bind come right after
        }
        System.out.println("[swap under load] " + kind.label() + ": " + sequence);
        assertTrue(seen.containsKey("unbind") && seen.containsKey("bind"), kind + ": the kernel saw " + sequence);
        return Duration.between(seen.get("unbind"), seen.get("bind")).toMillis();
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

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }

    /** The client loop: run --rm, exec, logs, stats and an import, again and again. */
    final class Load implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger done = new AtomicInteger();
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
                    sh("tar", "-C", dir.toString(), "-cf", layer.toString(), ".");
                    images.importRootfs(layer, "tiny:" + n);
                    images.remove("tiny:" + n, false);
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
                if (e.getMessage() != null && e.getMessage().contains("driver is bound")) {
                    unavailable.incrementAndGet();
                } else {
                    failures.add(Instant.now() + " " + what + ": " + e);
                }
            } catch (Exception | AssertionError e) {
                failures.add(Instant.now() + " " + what + ": " + e);
            } finally {
                longest = Math.max(longest, (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
