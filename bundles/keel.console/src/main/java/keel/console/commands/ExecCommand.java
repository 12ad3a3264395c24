package keel.console.commands;

import java.util.List;

import keel.api.container.ContainerService;
import keel.api.container.ExecConfig;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel exec}: a command in a running container; returns its exit code. */
public class ExecCommand implements Command {
    private final ContainerService containers;

    public ExecCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "Run a command in a running container";
    }

    @Override
    public String usage() {
        return "exec [-i] [-t] [-u USER] [-w DIR] [-e K=V] CONTAINER COMMAND [ARG...]";
    }

    @Override
    public List<Option> options() {
        return List.of(Option.flag("interactive", 'i', "keep stdin open"),
                Option.flag("tty", 't', "allocate a pseudo-terminal"),
                Option.value("user", 'u', "USER", "name|uid[:group|gid]"),
                Option.value("workdir", 'w', "DIR", "working directory"),
                Option.value("env", 'e', "K=V", "set an environment variable (repeatable)"));
    }

    @Override
    public boolean optionsStopAtFirstOperand() {
        return true;
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String container = args.operand(0, "CONTAINER", "keel " + usage());
        args.operand(1, "COMMAND", "keel " + usage());
        List<String> cmd = args.operands().subList(1, args.operands().size());
        boolean tty = args.flag("tty");
        boolean stdin = args.flag("interactive");
        ExecConfig config = new ExecConfig(cmd, args.all("env"), args.value("workdir").orElse(null),
                args.value("user").orElse(null), tty, stdin);
        try (AttachRelay relay = new AttachRelay(io, tty, stdin)) {
            int status = containers.exec(container, config, relay).code();
            int code = relay.awaitExit(2000);
            return code >= 0 ? code : status;
        }
    }
}
