package keel.console.commands;

import java.util.List;

import keel.api.driver.DriverKind;
import keel.api.kernel.DriverKindReport;
import keel.api.kernel.DriverReport;
import keel.api.kernel.DriverService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel drivers}: each kind's bound provider and the alternatives, with why each is not bound. */
public class DriversCommand implements Command {
    private final DriverService drivers;

    public DriversCommand(DriverService drivers) {
        this.drivers = drivers;
    }

    @Override
    public String name() {
        return "drivers";
    }

    @Override
    public String summary() {
        return "List the driver of each kind: bound, standing by, or failed and why";
    }

    @Override
    public String usage() {
        return "drivers [--format json] | drivers probe KIND";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat();
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        if (!args.operands().isEmpty()) {
            if (!args.operands().get(0).equals("probe")) {
                throw keel.api.KeelException.invalid("unknown subcommand '%s' of 'keel drivers'; usage: keel %s",
                        args.operands().get(0), usage());
            }
            DriverKind kind = DriverKind.ofLabel(args.operand(1, "KIND", "keel drivers probe KIND"));
            var facts = drivers.probe(kind);
            if (Output.json(args)) {
                Output.printJson(io, facts);
            } else {
                facts.forEach((k, v) -> io.out().println(k + ": " + v));
            }
            return 0;
        }
        List<DriverKindReport> reports = drivers.drivers();
        if (Output.json(args)) {
            Output.printJson(io, reports);
            return 0;
        }
        Table table = new Table("KIND", "DRIVER", "STATE", "RANKING", "BUNDLE", "NOTE");
        for (DriverKindReport kind : reports) {
            String pin = kind.pinned().map(p -> "chosen by keel swap").orElse("");
            if (kind.bound().isEmpty() && kind.alternatives().isEmpty()) {
                table.row(kind.kind().label(), "-", "none", "-", "-", "no " + kind.kind().label()
                        + " driver installed");
            }
            kind.bound().ifPresent(b -> row(table, kind, b, pin));
            for (DriverReport alt : kind.alternatives()) {
                row(table, kind, alt, alt.reason());
            }
        }
        table.print(io.out());
        return 0;
    }

    private static void row(Table table, DriverKindReport kind, DriverReport d, String note) {
        table.row(kind.kind().label(), d.id(), d.state().label(), Integer.toString(d.ranking()),
                d.bundle() + " " + d.bundleVersion(), note);
    }
}
