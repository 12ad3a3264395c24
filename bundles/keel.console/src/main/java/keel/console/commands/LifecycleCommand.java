package keel.console.commands;

import java.time.Duration;
import java.util.List;

import keel.api.KeelException;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel start|stop|kill|wait|rm}: one action on each named container. */
public class LifecycleCommand implements Command {
    private final ContainerService containers;
    private final String name;

    public LifecycleCommand(ContainerService containers, String name) {
        this.containers = containers;
        this.name = name;
    }

    public static List<Command> all(ContainerService containers) {
        return List.of(new LifecycleCommand(containers, "start"), new LifecycleCommand(containers, "stop"),
                new LifecycleCommand(containers, "kill"), new LifecycleCommand(containers, "wait"),
                new LifecycleCommand(containers, "rm"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return switch (name) {
            case "start" -> "Start stopped or created containers";
            case "stop" -> "Stop running containers: the stop signal, then SIGKILL after the timeout";
            case "kill" -> "Send a signal to running containers (default SIGKILL)";
            case "wait" -> "Wait for containers to stop and print their exit codes";
            default -> "Remove containers";
        };
    }

    @Override
    public String usage() {
        return switch (name) {
            case "start" -> "start [-a] CONTAINER...";
            case "stop" -> "stop [-t SECONDS] CONTAINER...";
            case "kill" -> "kill [-s SIGNAL] CONTAINER...";
            case "wait" -> "wait CONTAINER...";
            default -> "rm [-f] CONTAINER...";
        };
    }

    @Override
    public List<Option> options() {
        return switch (name) {
            case "start" -> List.of(Option.flag("attach", 'a', "attach stdout and stderr and wait for the exit code"));
            case "stop" -> List.of(Option.value("time", 't', "SECONDS", "seconds to wait before SIGKILL (default 10)"));
            case "kill" -> List.of(Option.value("signal", 's', "SIGNAL", "the signal (default SIGKILL)"));
            case "rm" -> List.of(Option.flag("force", 'f', "kill a running container first"),
                    Option.flag("volumes", 'v', "remove its anonymous volumes too"));
            default -> List.of();
        };
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        List<String> targets = args.operands();
        switch (name) {
            case "start" -> {
                if (args.flag("attach")) {
                    if (targets.size() != 1) {
                        throw KeelException.invalid("keel start -a takes exactly one container");
                    }
                    ContainerInfo info = containers.inspect(targets.get(0));
                    return RunCommand.runAttached(containers, info, io);
                }
                return ContainerCommands.each(targets, io, usage(), c -> {
                    containers.start(c, null);
                    io.out().println(c);
                });
            }
            case "stop" -> {
                long seconds = RunOptions.number(args.value("time").orElse("10"), "--time");
                return ContainerCommands.each(targets, io, usage(), c -> {
                    containers.stop(c, Duration.ofSeconds(seconds));
                    io.out().println(c);
                });
            }
            case "kill" -> {
                String signal = args.value("signal").orElse("SIGKILL");
                return ContainerCommands.each(targets, io, usage(), c -> {
                    containers.kill(c, signal);
                    io.out().println(c);
                });
            }
            case "wait" -> {
                return ContainerCommands.each(targets, io, usage(),
                        c -> io.out().println(containers.await(c, Duration.ofDays(3650)).code()));
            }
            default -> {
                boolean force = args.flag("force");
                boolean volumes = args.flag("volumes");
                return ContainerCommands.each(targets, io, usage(), c -> {
                    containers.remove(c, force, volumes);
                    io.out().println(c);
                });
            }
        }
    }
}
