package keel.console.commands;

import java.util.List;
import java.util.Map;

import keel.api.KeelException;
import keel.api.volume.VolumeInfo;
import keel.api.volume.VolumeService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel volume create|ls|inspect|rm|prune}. */
public class VolumeCommand implements Command {
    private final VolumeService volumes;

    public VolumeCommand(VolumeService volumes) {
        this.volumes = volumes;
    }

    @Override
    public String name() {
        return "volume";
    }

    @Override
    public String summary() {
        return "Manage volumes: create [NAME], ls [-q], inspect NAME..., rm [-f] NAME..., prune [-a]";
    }

    @Override
    public String usage() {
        return "volume create [NAME] | volume ls [-q] | volume inspect NAME... | volume rm [-f] NAME... | "
                + "volume prune [-a]";
    }

    @Override
    public List<Option> options() {
        // -f is --force here, as docker's volume rm has it, so --format has no short name
        return List.of(Option.flag("quiet", 'q', "ls: only the names"),
                Option.flag("force", 'f', "rm: a volume that does not exist is no error"),
                Option.flag("all", 'a', "prune: named volumes too, not only anonymous ones"),
                Option.value(Output.FORMAT.name(), (char) 0, Output.FORMAT.valueName(), Output.FORMAT.help()));
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String sub = args.operand(0, "a subcommand", "keel " + usage());
        List<String> names = args.operands().subList(1, args.operands().size());
        switch (sub) {
            case "create" -> {
                if (names.size() > 1) {
                    throw KeelException.invalid("keel volume create takes at most one NAME");
                }
                io.out().println(volumes.createVolume(names.isEmpty() ? null : names.get(0), Map.of()).name());
                return 0;
            }
            case "ls" -> {
                if (Output.json(args)) {
                    Output.printJson(io, volumes.volumes());
                    return 0;
                }
                if (args.flag("quiet")) {
                    volumes.volumes().forEach(v -> io.out().println(v.name()));
                    return 0;
                }
                Table table = new Table("DRIVER", "VOLUME NAME");
                for (VolumeInfo v : volumes.volumes()) {
                    table.row(v.driver(), v.name());
                }
                table.print(io.out());
                return 0;
            }
            case "inspect" -> {
                if (names.isEmpty()) {
                    throw KeelException.invalid("give at least one volume; usage: keel volume inspect NAME...");
                }
                Output.printJson(io, names.stream().map(volumes::volume).toList());
                return 0;
            }
            case "rm" -> {
                if (names.isEmpty()) {
                    throw KeelException.invalid("give at least one volume; usage: keel volume rm [-f] NAME...");
                }
                boolean force = args.flag("force");
                return ContainerCommands.each(names, io, "volume rm [-f] NAME...", n -> {
                    volumes.removeVolume(n, force);
                    io.out().println(n);
                });
            }
            case "prune" -> {
                List<String> removed = volumes.pruneVolumes(args.flag("all"));
                io.out().println("Deleted Volumes:");
                removed.forEach(io.out()::println);
                return 0;
            }
            default -> throw KeelException.invalid("unknown subcommand '%s' of 'keel volume'; usage: keel %s", sub,
                    usage());
        }
    }
}
