package keel.console.command;

import java.util.List;

/**
 * One {@code keel} command, implemented once: the daemon socket (the {@code keel} CLI) and the
 * Gogo console both run it through {@link CommandLine}. Commands register as services.
 */
public interface Command {

    /** The name typed after {@code keel}, e.g. {@code drivers}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The usage line after {@code keel}, e.g. {@code swap KIND ID}. */
    String usage();

    /** The options it accepts; {@code --help} is added for every command. */
    default List<Option> options() {
        return List.of();
    }

    /** Whether options end at the first operand (for commands that pass the rest on). */
    default boolean optionsStopAtFirstOperand() {
        return false;
    }

    /** Runs the command and returns its exit code; errors are thrown as KeelException. */
    int run(Arguments args, Invocation io) throws Exception;
}
