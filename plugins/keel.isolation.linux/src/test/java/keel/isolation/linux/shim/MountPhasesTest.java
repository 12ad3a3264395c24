package keel.isolation.linux.shim;

import static keel.isolation.linux.shim.Harness.running;
import static keel.isolation.linux.shim.Harness.stdout;
import static keel.isolation.linux.shim.LinuxAbi.MS_BIND;
import static keel.isolation.linux.shim.LinuxAbi.MS_REC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The root is made in two phases around GO: the early part while Java joins the cgroup, the cgroup
 * filesystems (and what is nested with them) after, in the container's cgroup namespace.
 */
@Timeout(60)
class MountPhasesTest extends HarnessTest {

    @Test
    void anEarlyMountThatFailsIsReportedAsTheMountError() {
        ShimMessage m = h.container(state, "true").mount(MS_BIND | MS_REC, "/mnt/data", "bind",
                "/nonexistent-keel-mount-phases-test", "");
        ShimException e = assertThrows(ShimException.class, () -> h.start(m));
        assertEquals("mount", e.stage(), e.getMessage());
        assertEquals(2, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent-keel-mount-phases-test"), e.getMessage());
    }

    @Test
    void whenTheCgroupJoinFailsBecauseTheProcessDiedMakingItsRootTheMountErrorIsTheCause() {
        ShimMessage m = h.container(state, "true").mount(MS_BIND | MS_REC, "/mnt/data", "bind",
                "/nonexistent-keel-mount-phases-test", "");
        IllegalStateException join = new IllegalStateException("cannot join the cgroup: the process is gone");
        ShimException e = assertThrows(ShimException.class, () -> h.start(m, pid -> {
            for (int i = 0; i < 250 && running(pid); i++) {   // it fails at its early mounts meanwhile
                sleep();
            }
            throw join;
        }));
        assertEquals("mount", e.stage(), e.getMessage());
        assertSame(join, e.getSuppressed()[0]);
    }

    @Test
    void theCgroupFilesystemsShowTheContainersOwnCgroupAndTheEarlyMountsAreThere() throws Exception {
        Path freezer = Path.of("/sys/fs/cgroup/freezer");
        assumeTrue(Files.exists(freezer.resolve("tasks")), "needs the cgroup v1 freezer hierarchy");
        Path cgroup = Files.createDirectory(freezer.resolve("keel-test-phases-" + ProcessHandle.current().pid()));
        try {
            Path data = Files.createDirectories(h.dir.resolve("data"));
            Files.writeString(data.resolve("f"), "bound\n");
            ShimMessage m = h.container(state, "sh", "-c",
                    "cat /mnt/data/f; ls /sys/fs/cgroup/freezer | grep -c keel-test-phases; sed -n 1p /sys/fs/cgroup/freezer/cgroup.procs")
                    .mount(0, "/sys/fs/cgroup", "tmpfs", "tmpfs", "mode=755")
                    .mount(0, "/sys/fs/cgroup/freezer", "cgroup", "cgroup", "freezer")
                    .mount(MS_BIND | MS_REC, "/mnt/data", "bind", data.toString(), "");
            h.start(m, pid -> {
                try {
                    Files.writeString(cgroup.resolve("cgroup.procs"), Integer.toString(pid));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(0, Harness.awaitExit(state).code(), stdout(state));
            List<String> out = stdout(state).lines().toList();
            assertEquals("bound", out.get(0), "the bind mount, made before GO: " + out);
            assertEquals("0", out.get(1), "the freezer hierarchy is rooted at the container's own cgroup (mounted "
                    + "in its cgroup namespace, after GO), not the host's: " + out);
            assertEquals("1", out.get(2), "pid 1 is in it: " + out);
        } finally {
            for (int i = 0; i < 100 && !Files.readString(cgroup.resolve("cgroup.procs")).isBlank(); i++) {
                sleep();
            }
            Files.delete(cgroup);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
