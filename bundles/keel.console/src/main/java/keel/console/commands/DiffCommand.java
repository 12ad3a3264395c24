package keel.console.commands;

import java.util.List;

import keel.api.container.ContainerService;
import keel.api.layer.Change;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;

/** {@code keel diff}: what a container changed in its writable layer, as docker diff prints it. */
public class DiffCommand implements Command {
    private final ContainerService containers;

    public DiffCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "diff";
    }

    @Override
    public String summary() {
        return "List the files a container added (A), changed (C) and deleted (D)";
    }

    @Override
    public String usage() {
        return "diff CONTAINER";
    }

    @Override
    public int run(Arguments args, Invocation io) {
        List<Change> changes = containers.diff(args.operand(0, "CONTAINER", "keel " + usage()));
        for (Change change : changes) {
            io.out().println(change.kind().letter() + " " + change.path());
        }
        return 0;
    }
}
