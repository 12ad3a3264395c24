package keel.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * The daemon's command line: {@code daemon [--root DIR] [--run DIR] [--detach] [--no-console]
 * [--log-level LEVEL] [--exit-when-ready]}. Unknown options are errors.
 *
 * @param root state root
 * @param run runtime directory
 * @param console run the interactive Gogo console on this terminal
 * @param logLevel the lowest level the terminal shows (the log file keeps INFO and up)
 * @param exitWhenReady exit as soon as the daemon is ready (for boot-time benchmarks)
 */
record DaemonOptions(Path root, Path run, boolean console, String logLevel, boolean exitWhenReady) {

    static final String USAGE = "usage: keel daemon [--root DIR] [--run DIR] [--detach] [--no-console] "
            + "[--log-level trace|debug|info|warn|error] [--exit-when-ready]";

    static final String HELP = """
            Usage: keel daemon [OPTIONS] | keel daemon stop | keel daemon status

            Runs the Keel daemon in the foreground, with the Gogo console (scope keel) on a terminal.
            The keel client starts one in the background when none answers.

            Options:
                  --root DIR             state root (default /var/lib/keel)
                  --run DIR              runtime directory: socket, pid, lock (default /run/keel)
                  --detach               no console; the client uses this to start a daemon
                  --no-console           no console on this terminal
                  --log-level LEVEL      what the terminal shows: trace, debug, info, warn (default), error
                  --exit-when-ready      exit once ready and print the boot time (for bench/boot.sh)
              -h, --help                 show this help
            """;

    static DaemonOptions parse(List<String> args, Defaults defaults, boolean terminal) {
        if (args.isEmpty() || !args.get(0).equals("daemon")) {
            throw new IllegalArgumentException(USAGE);
        }
        Path root = defaults.root();
        Path run = defaults.run();
        boolean console = terminal;
        String level = "warn";
        boolean exitWhenReady = false;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--root" -> root = Path.of(value != null ? value : next(args, ++i, arg)).toAbsolutePath();
                case "--run" -> run = Path.of(value != null ? value : next(args, ++i, arg)).toAbsolutePath();
                case "--log-level" -> level = level(value != null ? value : next(args, ++i, arg));
                case "--detach", "--no-console" -> console = false;
                case "--help", "-h" -> throw new HelpRequested();
                case "--exit-when-ready" -> {
                    exitWhenReady = true;
                    console = false;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " for 'keel daemon'; "
                        + USAGE);
            }
        }
        return new DaemonOptions(root, run, console, level, exitWhenReady);
    }

    private static String next(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("option " + option + " needs a value; " + USAGE);
        }
        return args.get(i);
    }

    private static String level(String level) {
        String l = level.toLowerCase(java.util.Locale.ROOT);
        if (!List.of("trace", "debug", "info", "warn", "error").contains(l)) {
            throw new IllegalArgumentException("unknown log level '" + level + "'; " + USAGE);
        }
        return l;
    }

    /** {@code --help}: print {@link #HELP} and exit 0. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }

    /** The embedded defaults, from conf/keel.properties. */
    record Defaults(Path root, Path run) {
    }
}
