package keel.network.bridge.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The driver's nftables rules, as text for {@code nft -f -}, all in one table of family
 * {@code inet} (the host's other tables are never touched). Rules carry a comment naming their
 * owner, {@code keel net <bridge>} for a network's and {@code keel att <host veth>} for an
 * attachment's, which is how they are found again (by any driver instance) to check or delete.
 *
 * <p>What Docker's bridge driver does with iptables, in nftables:
 * <ul>
 * <li>postrouting: masquerade what leaves the subnet by another interface; masquerade hairpin
 * traffic (a container reaching a published port of its own network) and traffic from
 * 127.0.0.0/8 (the host reaching a published port at 127.0.0.1, with route_localnet on the
 * bridge);</li>
 * <li>forward (per bridge): replies and DNAT'd (published) traffic in, traffic within the
 * bridge, nothing else into it: other Keel networks and other hosts cannot reach containers
 * except through published ports (Docker's isolation chains and its 28.0 direct-routing drop);</li>
 * <li>prerouting and output: DNAT of each published port, for traffic from outside and from
 * the host itself.</li>
 * </ul>
 */
public final class Ruleset {
    public static final String FAMILY = "inet";
    private static final Pattern CHAIN = Pattern.compile("^\\s*chain (\\S+) \\{");
    private static final Pattern HANDLE = Pattern.compile("# handle \\d+$");
    private static final Pattern RULE = Pattern.compile("comment \"([^\"]*)\" # handle (\\d+)\\s*$");

    private final String table;

    public Ruleset(String table) {
        this.table = table;
    }

    public String table() {
        return table;
    }

    /** A rule found in a listing. */
    public record Rule(String chain, long handle, String comment, String text) {
    }

    /** One published port, resolved: {@code hostIp} null for every local address. */
    public record Dnat(String protocol, String hostIp, int hostPort, String containerIp, int containerPort) {
    }

    public static String networkComment(String bridge) {
        return "keel net " + bridge;
    }

    public static String attachmentComment(String hostIfName) {
        return "keel att " + hostIfName;
    }

    /** Creates the table and its base chains if missing (idempotent: {@code add} of what exists is no change). */
    public String ensureTable() {
        return "add table " + FAMILY + " " + table + "\n"
                + chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;")
                + chain("output", "type nat hook output priority -100; policy accept;")
                + chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;")
                + chain("forward", "type filter hook forward priority filter; policy accept;");
    }

    public String deleteTable() {
        return "delete table " + FAMILY + " " + table + "\n";
    }

    /** The rules of a network on {@code bridge} with {@code subnet}. */
    public String networkRules(String bridge, String subnet) {
        String c = comment(networkComment(bridge));
        String br = quote(bridge);
        return rule("forward", "oifname " + br + " ct state established,related accept" + c)
                + rule("forward", "oifname " + br + " ct status dnat accept" + c)
                + rule("forward", "iifname " + br + " oifname " + br + " accept" + c)
                + rule("forward", "oifname " + br + " drop" + c)
                + rule("postrouting", "ip saddr " + subnet + " oifname != " + br + " masquerade" + c)
                + rule("postrouting", "oifname " + br + " ip saddr " + subnet + " ct status dnat masquerade" + c)
                + rule("postrouting", "oifname " + br + " ip saddr 127.0.0.0/8 masquerade" + c);
    }

    /** The DNAT rules of one attachment's published ports (two per port: from outside, from the host). */
    public String attachmentRules(String hostIfName, List<Dnat> ports) {
        String c = comment(attachmentComment(hostIfName));
        StringBuilder out = new StringBuilder();
        for (Dnat p : ports) {
            String match = (p.hostIp() == null ? "fib daddr type local" : "ip daddr " + p.hostIp()) + " "
                    + p.protocol() + " dport " + p.hostPort() + " dnat ip to " + p.containerIp() + ":" + p.containerPort();
            out.append(rule("prerouting", match + c)).append(rule("output", match + c));
        }
        return out.toString();
    }

    /** How many rules {@link #attachmentRules} makes for {@code ports} published ports. */
    public static int attachmentRuleCount(int ports) {
        return 2 * ports;
    }

    /** The rules of {@code listing} (from {@code nft -a list table}) that carry {@code comment}. */
    public static List<Rule> rulesWith(String listing, String comment) {
        List<Rule> rules = new ArrayList<>();
        String chain = null;
        for (String line : listing.split("\n")) {
            Matcher c = CHAIN.matcher(line);
            if (c.find()) {
                chain = c.group(1);
                continue;
            }
            Matcher r = RULE.matcher(line);
            if (chain != null && r.find() && r.group(1).equals(comment)) {
                rules.add(new Rule(chain, Long.parseLong(r.group(2)), r.group(1), line.strip()));
            }
        }
        return rules;
    }

    /** Whether {@code listing} (from {@code nft -a list table}) holds any rule, whoever's. */
    public static boolean hasRules(String listing) {
        for (String line : listing.split("\n")) {
            String text = line.strip();
            if (HANDLE.matcher(text).find() && !text.startsWith("table ") && !text.startsWith("chain ")) {
                return true;
            }
        }
        return false;
    }

    /** Statements deleting {@code rules} by handle. */
    public String delete(List<Rule> rules) {
        StringBuilder out = new StringBuilder();
        for (Rule rule : rules) {
            out.append("delete rule ").append(FAMILY).append(' ').append(table).append(' ').append(rule.chain())
                    .append(" handle ").append(rule.handle()).append('\n');
        }
        return out.toString();
    }

    private String chain(String name, String spec) {
        return "add chain " + FAMILY + " " + table + " " + name + " { " + spec + " }\n";
    }

    private String rule(String chain, String body) {
        return "add rule " + FAMILY + " " + table + " " + chain + " " + body + "\n";
    }

    private static String comment(String text) {
        return " comment " + quote(text);
    }

    private static String quote(String text) {
        if (!text.matches("[A-Za-z0-9 ._-]+")) {
            throw new IllegalArgumentException("unsafe text for an nft rule: " + text);
        }
        return "\"" + text + "\"";
    }
}
