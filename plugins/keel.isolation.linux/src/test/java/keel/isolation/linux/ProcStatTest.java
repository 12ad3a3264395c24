package keel.isolation.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** What /proc/PID/stat says about a process, on real processes. */
class ProcStatTest {

    @Test
    void aRunningProcessOfThatNameRunsAndAZombieDoesNot() throws Exception {
        // sh starts a short sleep, prints its pid and becomes a long sleep that never reaps it: a zombie
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 60").start();
        try {
            long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream()))
                    .readLine().trim());
            assertTrue(ProcStat.isRunning(parent.pid(), "sleep"));
            assertFalse(ProcStat.isRunning(parent.pid(), "keel-shim"), "another name is another process");
            Path stat = Path.of("/proc/" + zombie + "/stat");
            for (int i = 0; i < 3000 && !Files.readString(stat).contains(") Z "); i++) {
                Thread.sleep(10);
            }
            assertTrue(Files.readString(stat).contains(") Z "), Files.readString(stat));
            assertFalse(ProcStat.isRunning(zombie, "sleep"), "a zombie has ended");
        } finally {
            parent.destroyForcibly().waitFor();
        }
        assertFalse(ProcStat.isRunning(parent.pid(), "sleep"), "reaped: no such process");
    }
}
