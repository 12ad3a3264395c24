package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A daemon's life as an operator sees it: plugins arrive, events stream, the daemon stops. */
class DaemonLifecycleTest {

    @Test
    void aPluginDroppedIntoTheDirectoryIsListedWithinTwoSecondsAndEventsStreamIt() throws Exception {
        try (Keel keel = new Keel("plugins")) {
            assertEquals(0, keel.keel("version").code());
            Process events = Keel.builder(keel.command(List.of("events", "--filter", "type=driver"))).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(events.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                }
            });
            reader.start();
            Thread.sleep(300);

            Path jar = Path.of(System.getProperty("keel.it.drivers"))
                    .resolve("keel.testdriver.alpha/target/keel.testdriver.alpha.jar");
            Path dropped = keel.root.resolve("plugins/keel.testdriver.alpha.jar");
            long start = System.nanoTime();
            Files.copy(jar, dropped, StandardCopyOption.REPLACE_EXISTING);
            Keel.Result drivers;
            do {
                drivers = keel.keel("drivers");
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(),
                        "not listed within 2 s:\n" + drivers);
            } while (!drivers.out().lines().anyMatch(l -> l.matches("layer\\s+alpha\\s+(bound|standby).*")));
            System.out.printf("plugins directory (daemon): listed by keel drivers after %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);

            Keel.Result plugins = keel.keel("plugins");
            assertTrue(plugins.out().contains("keel.testdriver.alpha"), plugins.out());
            assertTrue(plugins.out().contains("layer/alpha"), plugins.out());

            // the daemon ships a layer driver (tar) that ranks as high: choose the plugin explicitly
            Keel.Result swap = keel.keel("swap", "layer", "alpha");
            assertEquals(0, swap.code(), swap.toString());
            assertTrue(keel.keel("drivers").out().lines().anyMatch(l -> l.matches("layer\\s+alpha\\s+bound.*")));
            waitFor(() -> lines.stream().anyMatch(l -> l.contains(" driver bind layer/alpha")), "bind event in\n" + lines);

            Files.delete(dropped);
            waitFor(() -> !keel.keel("drivers").out().contains("alpha"), "plugin removal");
            waitFor(() -> lines.stream().anyMatch(l -> l.contains(" driver unbind layer/alpha")), "unbind event");
            assertTrue(keel.keel("drivers").out().lines().anyMatch(l -> l.matches("layer\\s+tar\\s+bound.*")),
                    "the shipped driver is bound again when the chosen plugin goes");
            assertEquals(0, keel.keel("swap", "--auto", "layer").code());

            // Ctrl-C on the client ends the stream as a signal would end a local command
            new ProcessBuilder("kill", "-INT", Long.toString(events.pid())).start().waitFor();
            assertTrue(events.waitFor(10, TimeUnit.SECONDS), "events did not stop on SIGINT");
            assertEquals(130, events.exitValue());
        }
    }

    @Test
    void daemonStopEndsTheProcessAndRemovesTheSocket() throws Exception {
        Keel keel = new Keel("stop");
        assertEquals(0, keel.keel("version").code());
        long pid = keel.daemonPid();
        assertTrue(pid > 0);
        Keel.Result stop = keel.keel("daemon", "stop");
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(stop.out().contains("stopping the keel daemon (pid " + pid + ")"), stop.out());
        ProcessHandle.of(pid).ifPresent(p -> {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("daemon " + pid + " still runs 30 s after 'keel daemon stop'", e);
            }
        });
        assertFalse(Files.exists(keel.run.resolve("keel.sock")), "socket left behind");
        assertEquals(-1, keel.daemonPid());

        // with no daemon, stop and status say so and never start one
        Keel.Result again = keel.keel("daemon", "stop");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().startsWith("no keel daemon runs at "), again.out());
        Keel.Result status = keel.keel("daemon", "status");
        assertEquals(1, status.code(), status.toString());
        assertEquals(-1, keel.daemonPid(), "stop or status started a daemon");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void waitFor(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
