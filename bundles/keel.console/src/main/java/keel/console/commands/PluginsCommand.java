package keel.console.commands;

import java.util.List;

import keel.api.kernel.PluginInfo;
import keel.api.kernel.SystemService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel plugins}: the third-party bundles installed from the plugins directory. */
public class PluginsCommand implements Command {
    private final SystemService system;

    public PluginsCommand(SystemService system) {
        this.system = system;
    }

    @Override
    public String name() {
        return "plugins";
    }

    @Override
    public String summary() {
        return "List the bundles installed from the plugins directory";
    }

    @Override
    public String usage() {
        return "plugins [--format json]";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat();
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        List<PluginInfo> plugins = system.plugins();
        if (Output.json(args)) {
            Output.printJson(io, plugins);
            return 0;
        }
        Table table = new Table("ID", "BUNDLE", "VERSION", "STATE", "DRIVERS", "FILE");
        for (PluginInfo p : plugins) {
            table.row(Long.toString(p.bundleId()), p.symbolicName(), p.version(), p.state(),
                    p.drivers().isEmpty() ? "-" : String.join(",", p.drivers()), p.location());
        }
        table.print(io.out());
        return 0;
    }
}
