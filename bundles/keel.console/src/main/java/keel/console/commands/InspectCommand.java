package keel.console.commands;

import java.util.ArrayList;
import java.util.List;

import keel.api.KeelException;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Output;

/** {@code keel inspect}: containers as JSON (an array, as docker prints it). */
public class InspectCommand implements Command {
    private final ContainerService containers;

    public InspectCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "Show containers' configuration and state as JSON";
    }

    @Override
    public String usage() {
        return "inspect CONTAINER...";
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        if (args.operands().isEmpty()) {
            throw KeelException.invalid("give at least one container; usage: keel %s", usage());
        }
        List<ContainerInfo> found = new ArrayList<>();
        int code = 0;
        for (String c : args.operands()) {
            try {
                found.add(containers.inspect(c));
            } catch (KeelException e) {
                io.err().println("keel: " + e.getMessage());
                code = 1;
            }
        }
        Output.printJson(io, found);
        return code;
    }
}
