package keel.console.commands;

import java.util.List;

import keel.api.driver.DriverKind;
import keel.api.kernel.DriverKindReport;
import keel.api.kernel.DriverService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel swap KIND ID}: make an installed driver the bound one. */
public class SwapCommand implements Command {
    private static final String USAGE = "swap KIND ID | swap --auto KIND";
    private static final Option AUTO = Option.flag("auto", (char) 0,
            "forget the swap choice for KIND: the highest ranked driver is bound again");
    private final DriverService drivers;

    public SwapCommand(DriverService drivers) {
        this.drivers = drivers;
    }

    @Override
    public String name() {
        return "swap";
    }

    @Override
    public String summary() {
        return "Make an installed driver the bound one for its kind (kept until the next swap)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public List<Option> options() {
        return List.of(AUTO);
    }

    @Override
    public int run(Arguments args, Invocation io) {
        DriverKind kind = DriverKind.ofLabel(args.operand(0, "KIND", "keel " + USAGE));
        DriverKindReport report = args.flag(AUTO.name()) ? drivers.unpin(kind)
                : drivers.swap(kind, args.operand(1, "ID", "keel " + USAGE));
        io.out().println(kind.label() + ": bound to " + report.bound().map(b -> b.id() + " (" + b.bundle() + " "
                + b.bundleVersion() + ")").orElse("nothing"));
        return 0;
    }
}
