package keel.network.bridge.nft;

import java.util.List;

/** The driver's table in the kernel: {@link Ruleset}'s text applied with {@link Nft}, rules found by their comment. */
public final class Firewall {
    /** Held while a network's missing rules are put back (by any instance in this JVM). */
    private static final Object RESTORING = new Object();

    private final Nft nft;
    private final Ruleset rules;

    public Firewall(Nft nft, String table) {
        this.nft = nft;
        this.rules = new Ruleset(table);
    }

    public String table() {
        return rules.table();
    }

    /** Adds a network's rules, replacing any left by an earlier attempt, in one transaction. */
    public void addNetwork(String bridge, String subnet) {
        String stale = rules.delete(find(Ruleset.networkComment(bridge)));
        nft.apply("add the rules of network bridge " + bridge, rules.ensureTable() + stale + rules.networkRules(bridge, subnet));
    }

    /**
     * Adds an attachment's DNAT rules, replacing any left by an earlier attempt, in one transaction;
     * with them the rules of its network on {@code bridge} if they are gone (the table deleted or
     * flushed meanwhile: by an operator, a firewall reload, or another Keel on the host), without
     * which replies to a published port at 127.0.0.1 and traffic leaving the subnet go nowhere.
     * Attaches that find them gone take turns, so one puts them back and the others see them.
     */
    public void addAttachment(String hostIfName, List<Ruleset.Dnat> ports, String bridge, String subnet) {
        String listing = nft.listTable(Ruleset.FAMILY, rules.table());
        if (!Ruleset.rulesWith(listing, Ruleset.networkComment(bridge)).isEmpty()) {
            addAttachment(hostIfName, ports, bridge, subnet, listing);
            return;
        }
        synchronized (RESTORING) {
            addAttachment(hostIfName, ports, bridge, subnet, nft.listTable(Ruleset.FAMILY, rules.table()));
        }
    }

    private void addAttachment(String hostIfName, List<Ruleset.Dnat> ports, String bridge, String subnet,
            String listing) {
        String stale = rules.delete(Ruleset.rulesWith(listing, Ruleset.attachmentComment(hostIfName)));
        String network = Ruleset.rulesWith(listing, Ruleset.networkComment(bridge)).isEmpty()
                ? rules.networkRules(bridge, subnet) : "";
        if (ports.isEmpty() && stale.isEmpty() && network.isEmpty()) {
            return;
        }
        nft.apply("publish the ports of " + hostIfName, rules.ensureTable() + stale + network
                + rules.attachmentRules(hostIfName, ports));
    }

    public void removeNetwork(String bridge) {
        remove(Ruleset.networkComment(bridge));
    }

    public void removeAttachment(String hostIfName) {
        remove(Ruleset.attachmentComment(hostIfName));
    }

    public List<Ruleset.Rule> find(String comment) {
        return Ruleset.rulesWith(nft.listTable(Ruleset.FAMILY, rules.table()), comment);
    }

    /**
     * Deletes the table once no rule is left in it. Another Keel on the host (a daemon with another
     * root, so other networks in another state directory) keeps its rules in the same table: the last
     * network of one instance must not take the other's rules with it.
     */
    public void removeTableIfEmpty() {
        String listing = nft.listTable(Ruleset.FAMILY, rules.table());
        if (!listing.isEmpty() && !Ruleset.hasRules(listing)) {
            nft.apply("delete table " + rules.table(), rules.deleteTable());
        }
    }

    /** Deletes the rules carrying {@code comment}; nothing when there are none (deleting twice is no error). */
    private void remove(String comment) {
        // A concurrent change can move handles between listing and deleting; list again once if so.
        for (int attempt = 1; ; attempt++) {
            List<Ruleset.Rule> found = find(comment);
            if (found.isEmpty()) {
                return;
            }
            try {
                nft.apply("delete the rules '" + comment + "'", rules.delete(found));
                return;
            } catch (RuntimeException e) {
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }
}
