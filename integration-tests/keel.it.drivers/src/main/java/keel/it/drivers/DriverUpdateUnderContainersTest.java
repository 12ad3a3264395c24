package keel.it.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.container.ContainerStatus;
import keel.api.driver.DriverKind;
import keel.api.kernel.DriverService;
import keel.api.runtime.Resources;

/**
 * The real cgroup and isolation drivers updated (Bundle.update) while a container with a 64 MiB
 * limit runs: the container keeps running and keeps its limit, the new driver instances read its
 * stats, exec into it, stop it and remove its cgroup.
 */
class DriverUpdateUnderContainersTest {
    static final long LIMIT = 64L << 20;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ContainerService containers;

    @InjectService
    DriverService drivers;

    @InjectService
    keel.api.kernel.EventService events;

    static Path rootfs;

    @BeforeAll
    static void busybox(@InjectBundleContext BundleContext context) throws Exception {
        rootfs = Fixtures.busyboxRootfs(context);
    }

    @AfterAll
    static void removeParent() throws IOException {
        Fixtures.removeCgroupParent();
    }

    @Test
    void aContainerKeepsItsLimitWhileItsCgroupAndIsolationDriversAreUpdated() throws Exception {
        ContainerConfig config = new ContainerConfig(null, null, rootfs.toString(), null, List.of("sleep", "1000"),
                null, null, null, null, false, false, false, false, null,
                new Resources(new Resources.Memory(LIMIT, null, null, null), null, null, null, null), "none", null,
                null, null, null, null);
        ContainerInfo c = containers.create(config);
        containers.start(c.id(), null);
        Path memory = Path.of("/sys/fs/cgroup/memory", Fixtures.PARENT, c.id());
        assertEquals(LIMIT, Long.parseLong(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()));

        for (String bundleName : List.of("keel.cgroup.v1", "keel.isolation.linux")) {
            Bundle driver = Fixtures.bundle(context, bundleName);
            DriverKind kind = bundleName.startsWith("keel.cgroup") ? DriverKind.CGROUP : DriverKind.ISOLATION;
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (AutoCloseable watch = events.subscribe(e -> {
                if (e.type().equals("driver") && e.actor().startsWith(kind.label() + "/")) {
                    seen.add(e.action());
                }
            })) {
                driver.update(); // a new revision of the bound driver: the kernel unbinds it and binds the new one
                awaitBound(kind);
                long deadline = System.currentTimeMillis() + 5000;
                while (!seen.containsAll(List.of("unbind", "bind")) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
            }
            assertEquals(List.of("unbind", "bind"), seen, "the kernel did not rebind " + kind.label());
            ContainerInfo now = containers.inspect(c.id());
            assertEquals(ContainerStatus.RUNNING, now.state().status(), bundleName + " update stopped the container");
            assertEquals(LIMIT, Long.parseLong(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()),
                    "the limit changed across the update of " + bundleName);
            assertEquals(LIMIT, containers.stats(c.id()).memoryLimit(), "stats through the new cgroup driver");
        }

        // the new isolation driver instance manages what the old one started: exec into it, stop it
        assertEquals(0, containers.exec(c.id(), new keel.api.container.ExecConfig(List.of("true"), null, null, null,
                false, false), null).code());
        containers.stop(c.id(), Duration.ofSeconds(2));
        assertEquals(ContainerStatus.STOPPED, containers.inspect(c.id()).state().status());
        assertFalse(Files.exists(memory), "the container's cgroup is left after stop");
        containers.remove(c.id(), false);
    }

    private void awaitBound(DriverKind kind) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            boolean bound = drivers.drivers().stream().filter(r -> r.kind() == kind)
                    .anyMatch(r -> r.bound().isPresent());
            if (bound) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + kind + " driver bound again within 10 s");
    }
}
