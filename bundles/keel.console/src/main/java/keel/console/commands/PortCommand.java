package keel.console.commands;

import java.util.List;

import keel.api.KeelException;
import keel.api.network.NetworkService;
import keel.api.network.PortMapping;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;

/** {@code keel port CT [PRIVATE[/PROTO]]}: a running container's published ports, as docker port. */
public class PortCommand implements Command {
    private final NetworkService networks;

    public PortCommand(NetworkService networks) {
        this.networks = networks;
    }

    @Override
    public String name() {
        return "port";
    }

    @Override
    public String summary() {
        return "List a container's published ports, or the host address of one";
    }

    @Override
    public String usage() {
        return "port CONTAINER [PRIVATE_PORT[/PROTO]]";
    }

    @Override
    public int run(Arguments args, Invocation io) {
        String container = args.operand(0, "CONTAINER", "keel " + usage());
        if (args.operands().size() > 2) {
            throw KeelException.invalid("too many operands; usage: keel %s", usage());
        }
        List<PortMapping> ports = networks.ports(container);
        if (args.operands().size() == 1) {
            for (PortMapping p : ports) {
                io.out().println(p.containerPort() + "/" + p.protocol() + " -> " + hostAddress(p));
            }
            return 0;
        }
        String wanted = args.operands().get(1);
        String[] parts = wanted.split("/", 2);
        String protocol = parts.length == 2 ? parts[1] : "tcp";
        int port;
        try {
            port = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            throw KeelException.invalid("invalid port '%s': use PORT or PORT/tcp|udp", wanted);
        }
        List<PortMapping> matching = ports.stream()
                .filter(p -> p.containerPort() == port && p.protocol().equals(protocol)).toList();
        if (matching.isEmpty()) {
            throw KeelException.notFound("no public port '%d/%s' published for %s", port, protocol, container);
        }
        matching.forEach(p -> io.out().println(hostAddress(p)));
        return 0;
    }

    private static String hostAddress(PortMapping p) {
        return (p.hostIp() == null || p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp()) + ":" + p.hostPort();
    }
}
