package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * One wedged container does not hold up the others. The wedge is real: two processes in the
 * container's freezer cgroup wait on a FUSE directory whose server never answers (the first holds
 * the directory's lock while its request waits, the second waits for that lock in uninterruptible,
 * unfreezable sleep), so {@code keel pause} of that container cannot complete (the cgroup v1
 * driver tries for 10 s) and holds the container's lock meanwhile. During that, {@code ps},
 * {@code inspect} and {@code stop} of the others, and inspect of the wedged one, answer at once,
 * and the sweep records the end of a container that exits meanwhile.
 */
class WedgedContainerCliTest {
    /** A hang detector, not a benchmark: these answer in milliseconds; the wedge lasts 10 s. */
    private static final long DID_NOT_HANG_MS = 5_000;

    @Test
    void aContainerWhoseFreezeNeverCompletesDoesNotHoldUpTheOthers() throws Exception {
        Path base = Path.of(System.getProperty("keel.it.tmp")).resolve("wedge");
        Path rootfs = base.resolve("rootfs");
        Keel.busyboxRootfs(rootfs);
        assertTrue(Files.exists(Path.of("/dev/fuse")), "this test needs /dev/fuse");
        Path stuck = base.resolve("stuck");
        Files.createDirectories(stuck);
        List<Process> started = new ArrayList<>();
        Process server = null;
        Keel keel = new Keel("wedge");
        try {
            String wedgedId = null;
            for (String name : List.of("wedged", "calm1", "calm2")) {
                Keel.Result run = keel.keel("run", "-d", "--name", name, "--network", "none", "--rootfs",
                        rootfs.toString(), "/bin/sh", "-c", "while :; do sleep 1; done");
                assertEquals(0, run.code(), run.toString());
                wedgedId = wedgedId == null ? run.out().trim() : wedgedId;
            }
            Path freezer = Path.of("/sys/fs/cgroup/freezer", Keel.CGROUP_PARENT, wedgedId);
            assertTrue(Files.isDirectory(freezer), "no freezer cgroup " + freezer);

            // a FUSE mount whose server (this sleep, holding /dev/fuse as fd 3) never reads a request
            server = new ProcessBuilder("bash", "-c", "exec 3<>/dev/fuse && mount -i -t fuse -o "
                    + "fd=3,rootmode=40000,user_id=0,group_id=0 keel-live-stuck " + stuck + " && exec sleep 600")
                    .redirectErrorStream(true).start();
            awaitMounted(stuck);
            for (String dir : List.of("a", "b")) {
                Process p = new ProcessBuilder("mkdir", stuck.resolve(dir).toString()).start();
                started.add(p);
                awaitState(p.pid(), 'D');
                Files.writeString(freezer.resolve("cgroup.procs"), Long.toString(p.pid()));
            }

            // ends on its own while the wedge lasts: the sweep must notice without waiting for the wedged one
            Keel.Result quick = keel.keel("run", "-d", "--name", "quick", "--network", "none", "--rootfs",
                    rootfs.toString(), "/bin/sh", "-c", "sleep 2; exit 5");
            assertEquals(0, quick.code(), quick.toString());
            Path quickRecord = keel.root.resolve("containers").resolve(quick.out().trim()).resolve("container.json");
            Process pause = Keel.builder(keel.command(List.of("pause", "wedged"))).redirectErrorStream(true).start();
            started.add(pause);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Files.readString(freezer.resolve("freezer.state")).strip().equals("FREEZING")) {
                assertTrue(System.nanoTime() < deadline, "the pause did not begin to freeze");
                Thread.sleep(10);
            }

            StringBuilder measured = new StringBuilder();
            Keel.Result ps = timed(keel, measured, "ps");
            assertTrue(ps.out().contains("calm1") && ps.out().contains("wedged"), ps.toString());
            assertEquals(0, timed(keel, measured, "inspect", "calm1").code());
            assertTrue(timed(keel, measured, "inspect", "wedged").out().contains("\"RUNNING\""));
            assertEquals(0, timed(keel, measured, "stop", "-t", "0", "calm1").code());
            assertEquals(0, timed(keel, measured, "ps", "-a").code());
            assertTrue(pause.isAlive(), "the wedge ended before the checks: they prove nothing");

            // nobody asks about quick: only the sweep can record its end (reading the record asks nothing)
            long swept = System.nanoTime();
            while (!Files.readString(quickRecord).contains("\"STOPPED\"")) {
                assertTrue(System.nanoTime() - swept < TimeUnit.SECONDS.toNanos(7), // the wedge lasts 10 s
                        "the sweep did not record quick's end: it waits for the wedged container");
                Thread.sleep(10);
            }
            assertTrue(pause.isAlive(), "the wedge ended before quick's end was recorded: that proves nothing");
            measured.append("quick's exit recorded by the sweep ").append((System.nanoTime() - swept) / 1_000_000)
                    .append(" ms after the checks");
            System.out.println("wedged container: " + measured);

            // the wedge ends when its FUSE server goes; the pause then fails or completes
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            assertTrue(pause.waitFor(30, TimeUnit.SECONDS), "pause did not end");
            keel.keel("unpause", "wedged");
            assertTrue(keel.keel("inspect", "quick").out().contains("\"exitCode\" : 5"));
            for (String name : List.of("wedged", "calm1", "calm2", "quick")) {
                Keel.Result rm = keel.keel("rm", "-f", name);
                assertEquals(0, rm.code(), rm.toString());
            }
        } finally {
            if (server != null) {
                server.destroy();
            }
            Keel.exec(List.of("umount", "-l", stuck.toString()));
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
                keel.keel("rm", "-f", id); // after a failure too: containers outlive the daemon
            }
            keel.close();
        }
    }

    private static Keel.Result timed(Keel keel, StringBuilder measured, String... args) throws Exception {
        long t0 = System.nanoTime();
        Keel.Result r = keel.keel(args);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        measured.append(String.join(" ", args)).append(' ').append(ms).append(" ms; ");
        assertTrue(ms < DID_NOT_HANG_MS, "keel " + String.join(" ", args) + " waited " + ms
                + " ms for the wedged container\n" + r);
        return r;
    }

    private static void awaitMounted(Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.readAllLines(Path.of("/proc/self/mounts")).stream().noneMatch(l -> l.contains(" " + dir + " "))) {
            assertTrue(System.nanoTime() < deadline, "the FUSE mount did not appear at " + dir);
            Thread.sleep(10);
        }
    }

    private static void awaitState(long pid, char state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readAllLines(Path.of("/proc/" + pid + "/status")).contains("State:\t" + state
                + (state == 'D' ? " (disk sleep)" : ""))) {
            assertTrue(System.nanoTime() < deadline, "process " + pid + " did not reach state " + state);
            Thread.sleep(10);
        }
    }
}
