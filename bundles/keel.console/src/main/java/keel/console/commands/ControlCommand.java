package keel.console.commands;

import java.util.List;

import keel.api.container.ContainerService;
import keel.api.runtime.Resources;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel pause|unpause|update}: the cgroup controls of running containers. */
public class ControlCommand implements Command {
    private final ContainerService containers;
    private final String name;

    public ControlCommand(ContainerService containers, String name) {
        this.containers = containers;
        this.name = name;
    }

    public static List<Command> all(ContainerService containers) {
        return List.of(new ControlCommand(containers, "pause"), new ControlCommand(containers, "unpause"),
                new ControlCommand(containers, "update"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return switch (name) {
            case "pause" -> "Freeze every process of containers";
            case "unpause" -> "Thaw paused containers";
            default -> "Change the resource limits of containers";
        };
    }

    @Override
    public String usage() {
        return name.equals("update") ? "update [-m BYTES] [--cpus N] [--pids-limit N] ... CONTAINER..."
                : name + " CONTAINER...";
    }

    @Override
    public List<Option> options() {
        return name.equals("update") ? RunOptions.OPTIONS.stream().filter(o -> List.of("memory", "memory-swap",
                "memory-reservation", "cpus", "cpu-shares", "cpu-quota", "cpu-period", "cpuset-cpus", "cpuset-mems",
                "pids-limit", "blkio-weight").contains(o.name())).toList() : List.of();
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        return ContainerCommands.each(args.operands(), io, usage(), c -> {
            switch (name) {
                case "pause" -> containers.pause(c);
                case "unpause" -> containers.unpause(c);
                default -> {
                    Resources resources = RunOptions.resources(args);
                    containers.update(c, resources);
                }
            }
            io.out().println(c);
        });
    }
}
