package keel.console.gogo;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

import keel.console.command.CommandLine;
import keel.console.command.Invocation;

/** One {@code keel} command as a Gogo function ({@code keel:drivers}, ...), run through {@link CommandLine}. */
final class GogoFunction implements Function {
    private final String name;
    private final CommandLine commandLine;

    GogoFunction(String name, CommandLine commandLine) {
        this.name = name;
        this.commandLine = commandLine;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        List<String> argv = new ArrayList<>();
        argv.add(name);
        for (Object a : arguments) {
            argv.add(String.valueOf(a));
        }
        // Gogo redirects System.out and System.err per session thread.
        commandLine.execute(argv, new Invocation(System.out, System.err, true));
        return null;
    }
}
