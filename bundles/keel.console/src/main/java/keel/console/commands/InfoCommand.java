package keel.console.commands;

import java.util.List;
import java.util.Map;

import keel.api.kernel.DriverKindReport;
import keel.api.kernel.HostInfo;
import keel.api.kernel.SystemService;
import keel.api.kernel.VersionInfo;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;

public class InfoCommand implements Command {
    private final SystemService system;

    public InfoCommand(SystemService system) {
        this.system = system;
    }

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "Show host facts and the bound driver of each kind";
    }

    @Override
    public String usage() {
        return "info [--format json]";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat();
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        HostInfo info = system.info();
        if (Output.json(args)) {
            Output.printJson(io, info);
            return 0;
        }
        VersionInfo v = system.version();
        io.out().println("Server Version:    " + v.version());
        io.out().println("Kernel Version:    " + info.kernelVersion());
        io.out().println("Operating System:  " + info.operatingSystem());
        io.out().println("CPUs:              " + info.cpus());
        io.out().printf("Total Memory:      %.1f GiB%n", info.memoryBytes() / (double) (1L << 30));
        io.out().println("Cgroup Version:    " + info.cgroupVersion());
        io.out().println("Root Dir:          " + info.rootDir());
        io.out().println("Run Dir:           " + info.runDir());
        io.out().println("Plugins Dir:       " + info.pluginsDir());
        io.out().println("Containers:        " + info.containers());
        io.out().println("Drivers:");
        for (DriverKindReport kind : info.drivers()) {
            String bound = kind.bound().map(b -> b.id() + " (" + b.bundle() + " " + b.bundleVersion() + ")")
                    .orElse("none bound");
            io.out().printf("  %-10s %s%n", kind.kind().label() + ":", bound);
            Map<String, String> facts = info.driverFacts().getOrDefault(kind.kind().label(), Map.of());
            facts.forEach((k, val) -> io.out().printf("    %s: %s%n", k, val));
        }
        return 0;
    }
}
