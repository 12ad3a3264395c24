package keel.network.cni;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The iptables state the CNI plugins change (nat and filter of IPv4, nat of IPv6; through
 * iptables-nft here), read with iptables-save, and the removal of what a test run added.
 */
final class Iptables {
    /** Chains the plugins make once per host and keep: the parents of every per-container rule. */
    static final Set<String> SHARED = Set.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ",
            "CNI-FORWARD", "CNI-ADMIN");

    private Iptables() {
    }

    /** "tool table chain" for every CNI chain there is now. */
    static Set<String> cniChains() {
        Set<String> chains = new LinkedHashSet<>();
        for (String[] t : tables()) {
            for (String line : save(t[0], t[1])) {
                if (line.startsWith(":CNI-")) {
                    chains.add(t[0] + " " + t[1] + " " + line.substring(1).split(" ")[0]);
                }
            }
        }
        return chains;
    }

    /** Every rule (as iptables-save prints it) that mentions {@code text}. */
    static List<String> rulesWith(String text) {
        List<String> rules = new ArrayList<>();
        for (String[] t : tables()) {
            save(t[0], t[1]).stream().filter(l -> l.startsWith("-A ") && l.contains(text))
                    .forEach(l -> rules.add(t[0] + " " + t[1] + " " + l));
        }
        return rules;
    }

    /** The nftables tables (family name) there are now. */
    static Set<String> nftTables() {
        return new LinkedHashSet<>(Sh.ok("nft", "list", "tables").lines().map(l -> l.replace("table ", "").strip()).toList());
    }

    /**
     * Removes every CNI chain not in {@code before} (first the rules that jump to it), then every
     * nftables table not in {@code tablesBefore} that iptables made (ip/ip6 nat and filter) and
     * that no rule is left in.
     */
    static void removeAdded(Set<String> before, Set<String> tablesBefore) {
        List<String> added = cniChains().stream().filter(c -> !before.contains(c)).toList();
        for (String c : added) {
            String[] f = c.split(" ");
            for (String line : save(f[0], f[1])) {
                if (line.startsWith("-A ") && line.endsWith("-j " + f[2])) {
                    List<String> delete = new ArrayList<>(List.of(f[0], "-w", "-t", f[1]));
                    delete.addAll(split(line.replaceFirst("^-A ", "-D ")));
                    Sh.run(delete.toArray(String[]::new));
                }
            }
        }
        for (String c : added) {
            String[] f = c.split(" ");
            Sh.run(f[0], "-w", "-t", f[1], "-F", f[2]);
        }
        for (String c : added) {
            String[] f = c.split(" ");
            Sh.run(f[0], "-w", "-t", f[1], "-X", f[2]);
        }
        for (String table : nftTables()) {
            if (tablesBefore.contains(table) || !List.of("ip nat", "ip filter", "ip6 nat", "ip6 filter").contains(table)) {
                continue;
            }
            String[] f = table.split(" ");
            String tool = f[0].equals("ip") ? "iptables" : "ip6tables";
            if (save(tool, f[1]).stream().noneMatch(l -> l.startsWith("-A "))) {
                Sh.run("nft", "delete", "table", f[0], f[1]);
            }
        }
    }

    private static List<String[]> tables() {
        return List.of(new String[] {"iptables", "nat"}, new String[] {"iptables", "filter"},
                new String[] {"ip6tables", "nat"}, new String[] {"ip6tables", "filter"});
    }

    private static List<String> save(String tool, String table) {
        Sh.Result r = Sh.run(tool + "-save", "-t", table);
        return r.ok() ? r.out().lines().toList() : List.of();
    }

    /** Splits an iptables-save line into arguments, keeping "quoted strings" (with \" inside) whole. */
    static List<String> split(String line) {
        List<String> args = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (current.length() > 0) {
                    args.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            args.add(current.toString());
        }
        return args;
    }
}
