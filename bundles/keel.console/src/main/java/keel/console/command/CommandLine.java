package keel.console.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Runs a {@code keel} command line: finds the command, parses its declared options, answers
 * {@code --help}, runs it, and turns an error into one message and the exit code of its kind.
 * The daemon socket and the Gogo console both call this, so each command behaves the same in both.
 */
public class CommandLine {
    private static final Logger LOG = LoggerFactory.getLogger(CommandLine.class);
    private static final Option HELP = Option.flag("help", 'h', "show this help");

    private final Map<String, Command> commands = new TreeMap<>();

    public CommandLine(List<Command> commands) {
        for (Command command : commands) {
            this.commands.put(command.name(), command);
        }
    }

    /** Runs {@code argv} (without the program name) and returns the exit code. */
    public int execute(List<String> argv, Invocation io) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h")) {
            printOverview(io);
            return 0;
        }
        String name = argv.get(0);
        try {
            if (name.equals("help")) {
                if (argv.size() == 1) {
                    printOverview(io);
                    return 0;
                }
                printHelp(find(argv.get(1)), io);
                return 0;
            }
            Command command = find(name);
            List<Option> options = new ArrayList<>(command.options());
            options.add(HELP);
            Arguments args = OptionParser.parse(name, options, argv.subList(1, argv.size()),
                    command.optionsStopAtFirstOperand());
            if (args.flag(HELP.name())) {
                printHelp(command, io);
                return 0;
            }
            return command.run(args, io);
        } catch (KeelException e) {
            io.err().println("keel: " + e.getMessage());
            return e.kind().exitCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return io.cancelledExitCode();
        } catch (Exception e) {
            LOG.error("keel {} failed", name, e);
            io.err().println("keel: internal error in '" + name + "': " + e + " (details in the daemon log)");
            return ErrorKind.INTERNAL.exitCode();
        } finally {
            io.out().flush();
            io.err().flush();
        }
    }

    /** The commands by name. */
    public Map<String, Command> commands() {
        return commands;
    }

    private Command find(String name) {
        Command command = commands.get(name);
        if (command == null) {
            throw KeelException.invalid("unknown command '%s'; see 'keel --help' for the commands", name);
        }
        return command;
    }

    private void printOverview(Invocation io) {
        io.out().println("Usage: keel [--run DIR] [--root DIR] [--no-autostart] COMMAND [OPTIONS] [ARGS]");
        io.out().println();
        io.out().println("Keel runs containers; every driver is an OSGi bundle you can swap on a live host.");
        io.out().println();
        io.out().println("Commands:");
        for (Command c : commands().values()) {
            io.out().printf("  %-10s %s%n", c.name(), c.summary());
        }
        io.out().println();
        io.out().println("Run 'keel COMMAND --help' for more on a command.");
    }

    private static void printHelp(Command command, Invocation io) {
        io.out().println("Usage: keel " + command.usage());
        io.out().println();
        io.out().println(command.summary());
        io.out().println();
        io.out().println("Options:");
        List<Option> options = new ArrayList<>(command.options());
        options.add(HELP);
        for (Option o : options) {
            io.out().printf("  %-24s %s%n", o.synopsis(), o.help());
        }
    }
}
