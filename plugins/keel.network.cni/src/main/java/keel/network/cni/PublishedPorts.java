package keel.network.cni;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import keel.api.KeelException;
import keel.api.network.PortMapping;

/**
 * The host ports portmap has published, read from its dispatch chain ({@code iptables -t nat -S
 * CNI-HOSTPORT-DNAT}: one rule per container, {@code -p tcp -m comment --comment "dnat name:
 * \"NET\" id: \"ID\"" -m multiport --dports 8080,8443}). portmap itself does not refuse a port
 * another container has: its rule would come second and never match. So the driver refuses it
 * first, as Docker does.
 */
final class PublishedPorts {
    private static final Pattern RULE = Pattern.compile(
            "-p (\\S+) .*dnat name: \\\\\"([^\\\\]*)\\\\\" id: \\\\\"([^\\\\]*)\\\\\".*--dports (\\S+)");

    private final Commands commands;

    PublishedPorts(Commands commands) {
        this.commands = commands;
    }

    /** Refuses the first of {@code ports} that another container publishes (conflict, naming it). */
    void refuseTaken(List<PortMapping> ports, String containerId) {
        if (ports.isEmpty()) {
            return;
        }
        Commands.Result r = commands.run(List.of("iptables", "-w", "-t", "nat", "-S", "CNI-HOSTPORT-DNAT"));
        if (!r.ok()) {
            return; // no chain: nothing is published yet
        }
        Map<String, String> owners = parse(r.out());
        for (PortMapping p : ports) {
            String owner = owners.get(p.hostPort() + "/" + p.protocol());
            if (owner != null && !owner.startsWith("container " + containerId + " ")) {
                throw KeelException.conflict("host port %d/%s is already published by %s: publish another port",
                        p.hostPort(), p.protocol(), owner);
            }
        }
    }

    /** "8080/tcp" -> "container ID on network NET", from iptables -S lines. */
    static Map<String, String> parse(String rules) {
        Map<String, String> owners = new LinkedHashMap<>();
        for (String line : rules.split("\n")) {
            Matcher m = RULE.matcher(line);
            if (m.find()) {
                for (String port : m.group(4).split(",")) {
                    owners.putIfAbsent(port + "/" + m.group(1), "container " + m.group(3) + " on network " + m.group(2));
                }
            }
        }
        return owners;
    }
}
