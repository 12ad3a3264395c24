package keel.isolation.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Facts about a process from /proc/PID/stat: its start time (to tell a reused pid apart) and state. */
final class ProcStat {
    private ProcStat() {
    }

    /** Field 22, the start time in clock ticks since boot; empty if there is no such process. */
    static OptionalLong startTime(long pid) {
        String[] fields = fields(pid);
        return fields == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[19]));
    }

    /** Whether {@code pid} is the process that started at {@code startTime} and has not ended. */
    static boolean isAlive(long pid, long startTime) {
        String[] fields = fields(pid);
        return fields != null && Long.parseLong(fields[19]) == startTime && !fields[0].equals("Z")
                && !fields[0].equals("X");
    }

    /**
     * Whether {@code pid} is a process named {@code name} that has not ended. A zombie has ended:
     * a killed shim stays one until init reaps it, which some inits do late.
     */
    static boolean isRunning(long pid, String name) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return comm.equals(name) && state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The fields after "pid (comm)": index 0 is the state (field 3). */
    private static String[] fields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
