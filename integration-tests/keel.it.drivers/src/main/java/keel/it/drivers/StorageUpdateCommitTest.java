package keel.it.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import keel.api.container.CommitRequest;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.container.ContainerStatus;
import keel.api.container.ExecConfig;
import keel.api.image.ImageService;
import keel.api.kernel.EventService;
import keel.api.storage.Snapshot;
import keel.api.storage.StorageDriver;

/**
 * The overlay storage driver's bundle updated (a new revision) while 5 containers on its snapshots
 * keep writing into their root filesystems: they keep running and writing; afterwards one of them
 * is committed (as {@code keel commit} does) and the new image runs with what the container wrote
 * after the update; removing the containers leaves none of their mounts on the host and none of
 * their snapshots in the driver.
 */
class StorageUpdateCommitTest {
    static final int CONTAINERS = 5;
    static final String IMAGE = "stor-busybox:update";
    static final String COMMITTED = "stor-committed:update";
    static final String WRITER = "i=0; while :; do i=$((i+1)); echo $i > /count; echo $i >> /data.log; echo tick-$i;"
            + " sleep 0.1; done";

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ContainerService containers;

    @InjectService
    ImageService images;

    @InjectService
    EventService events;

    static Path work;

    @BeforeAll
    static void busybox(@InjectBundleContext BundleContext context) throws Exception {
        work = Fixtures.busyboxTar(context, "storage-update");
    }

    @AfterAll
    static void removeParent() throws Exception {
        Fixtures.removeCgroupParent();
    }

    @Test
    void writersKeepRunningThroughAnOverlayUpdateAndOneIsCommittedAfterIt() throws Exception {
        images.importRootfs(work.resolve("busybox.tar"), IMAGE);
        List<String> writers = new ArrayList<>();
        try {
            for (int i = 0; i < CONTAINERS; i++) {
                writers.add(start("stor-writer-" + i, IMAGE, List.of("sh", "-c", WRITER)));
            }
            for (String id : writers) {
                assertEquals("overlay", storageDriverOf(id), "container " + id + " is not on overlay snapshots");
            }
            Thread.sleep(1000);
            Map<String, Integer> before = new LinkedHashMap<>();
            for (String id : writers) {
                before.put(id, ticks(id));
            }

            List<String> sequence = updateOverlay();
            System.out.println("[storage update] storage bindings: " + sequence);

            Thread.sleep(1000);
            for (String id : writers) {
                ContainerInfo info = containers.inspect(id);
                assertEquals(ContainerStatus.RUNNING, info.state().status(), info.name() + " did not survive");
                assertTrue(ticks(id) > before.get(id), info.name() + " stopped writing across the update");
            }

            // what the container writes after the update is in the layer the new driver revision diffs
            String source = writers.get(0);
            assertEquals(0, containers.exec(source, new ExecConfig(List.of("sh", "-c",
                    "echo written-after-update > /mark"), null, null, null, false, false), null).code());
            containers.commit(source, new CommitRequest(COMMITTED, "after the overlay update", "keel it", List.of(),
                    true));
            assertEquals(ContainerStatus.RUNNING, containers.inspect(source).state().status(),
                    "the committed container does not run on");
            String check = start("stor-committed", COMMITTED, List.of("sh", "-c", "cat /mark; cat /count"));
            assertEquals(0, containers.await(check, Duration.ofSeconds(30)).code());
            List<String> seen = logLines(check);
            assertEquals("written-after-update", seen.get(0), "the committed image lacks the change: " + seen);
            assertTrue(Integer.parseInt(seen.get(1)) > before.get(source), "the committed /count is from before the "
                    + "update: " + seen);
            writers.add(check);

            // removal: no mount of theirs is left on the host, no snapshot of theirs in the driver. Each
            // running writer's root is an overlay (in its own mount namespace) on its snapshot's upper dir.
            List<String> upperDirs = new ArrayList<>();
            for (String id : writers.subList(0, CONTAINERS)) {
                String upper = rootUpperDir(containers.inspect(id).state().pid());
                assertTrue(Files.isDirectory(Path.of(upper)), "no upper dir " + upper);
                upperDirs.add(upper);
            }
            for (String id : writers) {
                containers.remove(id, true);
            }
            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            for (String id : writers) {
                assertTrue(!mountinfo.contains(id), "a mount of removed container " + id + " is left:\n" + mountinfo);
            }
            for (String upper : upperDirs) {
                assertTrue(!mountinfo.contains(upper), "a mount of a removed snapshot is left: " + upper);
                assertTrue(!Files.exists(Path.of(upper)), "a removed container's snapshot is left: " + upper);
            }
            for (Snapshot s : overlay().list()) {
                assertTrue(writers.stream().noneMatch(id -> s.key().contains(id)), "snapshot left: " + s);
            }
            writers.clear();
        } finally {
            for (String id : writers) {
                try {
                    containers.remove(id, true);
                } catch (RuntimeException e) {
                    System.out.println("[storage update] cannot remove " + id + ": " + e);
                }
            }
            for (String image : List.of(COMMITTED, IMAGE)) {
                try {
                    images.remove(image, false);
                } catch (RuntimeException e) {
                    System.out.println("[storage update] cleanup: " + e);
                }
            }
        }
    }

    /** Updates the overlay bundle; returns the storage bind and unbind events until overlay is bound again. */
    private List<String> updateOverlay() throws Exception {
        List<String> sequence = new CopyOnWriteArrayList<>();
        try (AutoCloseable watch = events.subscribe(e -> {
            if (e.type().equals("driver") && e.actor().startsWith("storage/")) {
                sequence.add(e.action() + " " + e.actor());
            }
        })) {
            Bundle overlay = Fixtures.bundle(context, "keel.storage.overlay");
            overlay.update(); // a new revision of the bound driver: the kernel unbinds it and binds the new one
            long deadline = System.currentTimeMillis() + 15_000;
            while (!reboundOverlay(sequence) && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
        }
        assertTrue(reboundOverlay(sequence), "the kernel did not rebind overlay: " + sequence);
        return sequence;
    }

    private static boolean reboundOverlay(List<String> sequence) {
        List<String> now = List.copyOf(sequence);   // a view of a list that events still grow fails (CME)
        int unbind = now.indexOf("unbind storage/overlay");
        return unbind >= 0 && now.subList(unbind, now.size()).contains("bind storage/overlay");
    }

    /** The upperdir of the overlay mounted as the root of process {@code pid}, from its mountinfo. */
    private static String rootUpperDir(int pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields[4].equals("/") && fields[dash + 1].equals("overlay")) {
                for (String option : fields[dash + 3].split(",")) {
                    if (option.startsWith("upperdir=")) {
                        return option.substring("upperdir=".length());
                    }
                }
            }
        }
        throw new AssertionError("the root of process " + pid + " is not an overlay with an upperdir");
    }

    /** The id of the storage driver that made a container's snapshot. */
    private String storageDriverOf(String id) {
        return containers.inspect(id).drivers().stream().filter(d -> d.startsWith("storage/")).findFirst()
                .map(d -> d.substring("storage/".length())).orElse("none: " + containers.inspect(id).drivers());
    }

    private StorageDriver overlay() throws Exception {
        ServiceReference<StorageDriver> ref = context.getServiceReferences(StorageDriver.class,
                "(keel.driver.id=overlay)").iterator().next();
        return context.getService(ref);
    }

    private String start(String name, String image, List<String> command) {
        ContainerInfo info = containers.create(new ContainerConfig(name, image, null, null, command, null, null, null,
                null, false, false, false, false, null, null, "none", null, null, null, null, null));
        containers.start(info.id(), null);
        return info.id();
    }

    private int ticks(String id) {
        AtomicInteger lines = new AtomicInteger();
        containers.logs(id, -1, false, () -> true, e -> {
            if (e.text().startsWith("tick-")) {
                lines.incrementAndGet();
            }
        });
        return lines.get();
    }

    private List<String> logLines(String id) {
        List<String> lines = new CopyOnWriteArrayList<>();
        containers.logs(id, -1, false, () -> true, e -> lines.add(e.text().strip()));
        return lines;
    }
}
