package keel.network.cni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import keel.api.KeelException;

/**
 * Removes the masquerade chain the bridge plugin (ipMasq) made for a container when the plugin's
 * own DEL could not. The bridge plugin of containernetworking-plugins 1.1.1 (Debian 12) finds the
 * addresses to un-masquerade on the container's interface: once the namespace is gone (the
 * container exited, which is when a runtime detaches) or the veth was removed, its DEL releases
 * the address but leaves {@code -A POSTROUTING -s IP -j CNI-<hash>} and the chain behind, one per
 * container ever run. Later releases tear down from prevResult; until Debian ships one, the driver
 * does what they do, by the plugin's own names: chain {@code CNI-} + the first 24 hex digits of
 * SHA-512(network name + container id), comment {@code name: "NET" id: "ID"}.
 */
final class MasqChains {
    private final Commands commands;

    MasqChains(Commands commands) {
        this.commands = commands;
    }

    static String chain(String network, String containerId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512")
                    .digest((network + containerId).getBytes(StandardCharsets.UTF_8));
            return ("CNI-" + HexFormat.of().formatHex(digest)).substring(0, 28);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is part of every JDK", e);
        }
    }

    /** Removes the jump for each of {@code addresses} (CIDR) and the chain, if the chain is still there. */
    void remove(String network, String containerId, List<String> addresses) {
        String chain = chain(network, containerId);
        String comment = "name: \"" + network + "\" id: \"" + containerId + "\"";
        List<String> problems = new ArrayList<>();
        for (String tool : List.of("iptables", "ip6tables")) {
            boolean v6 = tool.equals("ip6tables");
            if (!commands.run(List.of(tool, "-w", "-t", "nat", "-S", chain)).ok()) {
                continue; // no chain: the plugin's DEL did its job
            }
            for (String cidr : addresses) {
                String ip = cidr.split("/")[0];
                if (ip.contains(":") == v6) {
                    String source = ip + (v6 ? "/128" : "/32");
                    commands.run(List.of(tool, "-w", "-t", "nat", "-D", "POSTROUTING", "-s", source, "-m", "comment",
                            "--comment", comment, "-j", chain));
                }
            }
            for (String step : List.of("-F", "-X")) {
                Commands.Result r = commands.run(List.of(tool, "-w", "-t", "nat", step, chain));
                if (!r.ok()) {
                    problems.add(tool + " " + step + " " + chain + ": " + r.err());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw KeelException.internal("cannot remove the masquerade rules of container " + containerId + " on network "
                    + network + ": " + String.join("; ", problems), null);
        }
    }
}
