package keel.console.commands;

import java.util.List;
import java.util.Map;

import keel.api.KeelException;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkEndpoint;
import keel.api.network.NetworkRecord;
import keel.api.network.NetworkService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel network ls|create|rm|inspect|connect|disconnect}. */
public class NetworkCommand implements Command {
    private final NetworkService networks;

    public NetworkCommand(NetworkService networks) {
        this.networks = networks;
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public String summary() {
        return "Manage networks: ls, create [--subnet CIDR] [--gateway IP] NAME, rm NAME, inspect NAME, "
                + "connect [--alias NAME] NET CT, disconnect NET CT";
    }

    @Override
    public String usage() {
        return "network ls | network create [--subnet CIDR] [--gateway IP] NAME | network rm NAME... | "
                + "network inspect NAME... | network connect [--alias NAME] NETWORK CONTAINER | "
                + "network disconnect NETWORK CONTAINER";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat(Option.value("subnet", (char) 0, "CIDR", "the subnet (default: one free of the host's routes)"),
                Option.value("gateway", (char) 0, "IP", "the gateway address (default: the subnet's first)"),
                Option.value("alias", (char) 0, "NAME", "connect: a further name on the network (repeatable)"));
    }

    /** What {@code network inspect} shows of one network: its record and the containers on it. */
    public record Inspection(String id, String name, String driver, String subnet, String gateway,
            Map<String, String> driverData, List<NetworkEndpoint> containers) {
    }

    private Inspection inspect(String name) {
        NetworkRecord n = networks.network(name);
        return new Inspection(n.id(), n.name(), n.driver(), n.subnet(), n.gateway(), n.driverData(),
                networks.endpoints(n.id()));
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String sub = args.operand(0, "a subcommand", "keel " + usage());
        List<String> names = args.operands().subList(1, args.operands().size());
        switch (sub) {
            case "ls" -> {
                if (Output.json(args)) {
                    Output.printJson(io, networks.networks());
                    return 0;
                }
                Table table = new Table("NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY");
                for (NetworkRecord n : networks.networks()) {
                    table.row(n.id().substring(0, 12), n.name(), n.driver(), n.subnet(), n.gateway());
                }
                table.print(io.out());
                return 0;
            }
            case "create" -> {
                String name = args.operand(1, "NAME", "keel network create NAME");
                NetworkRecord n = networks.createNetwork(new NetworkConfig(name, args.value("subnet").orElse(null),
                        args.value("gateway").orElse(null), Map.of()));
                io.out().println(n.id());
                return 0;
            }
            case "rm" -> {
                return ContainerCommands.each(names, io, "network rm NAME...", n -> {
                    networks.removeNetwork(n);
                    io.out().println(n);
                });
            }
            case "inspect" -> {
                if (names.isEmpty()) {
                    throw KeelException.invalid("usage: keel network inspect NAME...");
                }
                Output.printJson(io, names.stream().map(this::inspect).toList());
                return 0;
            }
            case "connect", "disconnect" -> {
                if (names.size() != 2) {
                    throw KeelException.invalid("usage: keel network %s NETWORK CONTAINER", sub);
                }
                if (sub.equals("connect")) {
                    networks.connect(names.get(0), names.get(1), args.all("alias"));
                } else {
                    networks.disconnect(names.get(0), names.get(1));
                }
                return 0;
            }
            default -> throw KeelException.invalid("unknown subcommand '%s' of 'keel network'; usage: keel %s", sub,
                    usage());
        }
    }
}
