package keel.console.commands;

import java.util.List;

import keel.api.kernel.SystemService;
import keel.api.kernel.VersionInfo;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;

public class VersionCommand implements Command {
    private final SystemService system;

    public VersionCommand(SystemService system) {
        this.system = system;
    }

    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "Show the Keel version and what it runs on";
    }

    @Override
    public String usage() {
        return "version [--format json]";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat();
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        VersionInfo v = system.version();
        if (Output.json(args)) {
            Output.printJson(io, v);
            return 0;
        }
        io.out().println("Keel version " + v.version());
        io.out().println(" API version:  " + v.apiVersion());
        io.out().println(" Java:         " + v.javaVersion());
        io.out().println(" Framework:    " + v.framework());
        io.out().println(" OS/Arch:      " + v.os().toLowerCase() + "/" + v.arch());
        io.out().println(" Protocol:     keel/1");
        return 0;
    }
}
