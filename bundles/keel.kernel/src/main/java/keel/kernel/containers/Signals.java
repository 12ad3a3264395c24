package keel.kernel.containers;

import java.util.List;
import java.util.Locale;

import keel.api.KeelException;

/** Signal names and numbers (x86_64 Linux), for --stop-signal and keel kill -s. */
public final class Signals {
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS",
            "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private Signals() {
    }

    /** {@code SIGTERM}, {@code TERM} or {@code 15}; an unknown one is an error naming it. */
    public static int number(String signal) {
        String s = signal.toUpperCase(Locale.ROOT);
        if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 64) {
                return n;
            }
        }
        String name = s.startsWith("SIG") ? s.substring(3) : s;
        int index = NAMES.indexOf(name);
        if (index > 0) {
            return index;
        }
        throw KeelException.invalid("invalid signal '%s': use a name such as SIGTERM or a number 1-64", signal);
    }
}
