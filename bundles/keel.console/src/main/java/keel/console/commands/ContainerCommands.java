package keel.console.commands;

import java.util.List;

import keel.api.KeelException;
import keel.console.command.Invocation;

/** What the commands that take several containers share: run each, report each failure, exit 1 if any. */
final class ContainerCommands {
    interface Action {
        void apply(String container) throws Exception;
    }

    private ContainerCommands() {
    }

    static int each(List<String> containers, Invocation io, String usage, Action action) throws Exception {
        if (containers.isEmpty()) {
            throw KeelException.invalid("give at least one container; usage: keel %s", usage);
        }
        int code = 0;
        for (String container : containers) {
            try {
                action.apply(container);
            } catch (KeelException e) {
                io.err().println("keel: " + e.getMessage());
                code = 1;
            }
        }
        return code;
    }
}
