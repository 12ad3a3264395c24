package keel.network.bridge.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RulesetTest {
    private final Ruleset rules = new Ruleset("keel");

    @Test
    void attachmentRulesDnatFromOutsideAndFromTheHost() {
        String text = rules.attachmentRules("veth0123", List.of(new Ruleset.Dnat("tcp", null, 8080, "172.17.0.2", 80),
                new Ruleset.Dnat("udp", "127.0.0.1", 5353, "172.17.0.2", 53)));
        assertEquals("""
                add rule inet keel prerouting fib daddr type local tcp dport 8080 dnat ip to 172.17.0.2:80 comment "keel att veth0123"
                add rule inet keel output fib daddr type local tcp dport 8080 dnat ip to 172.17.0.2:80 comment "keel att veth0123"
                add rule inet keel prerouting ip daddr 127.0.0.1 udp dport 5353 dnat ip to 172.17.0.2:53 comment "keel att veth0123"
                add rule inet keel output ip daddr 127.0.0.1 udp dport 5353 dnat ip to 172.17.0.2:53 comment "keel att veth0123"
                """, text);
        assertEquals(4, Ruleset.attachmentRuleCount(2));
    }

    @Test
    void networkRulesMasqueradeAndIsolate() {
        String text = rules.networkRules("keel0", "172.17.0.0/16");
        assertTrue(text.contains("add rule inet keel postrouting ip saddr 172.17.0.0/16 oifname != \"keel0\" masquerade"), text);
        assertTrue(text.contains("add rule inet keel forward oifname \"keel0\" drop comment \"keel net keel0\""), text);
        assertTrue(text.indexOf("ct state established,related accept") < text.indexOf("oifname \"keel0\" drop"));
        assertTrue(rules.ensureTable().startsWith("add table inet keel\n"));
    }

    @Test
    void rulesAreFoundInAListingByTheirComment() {
        String listing = """
                table inet keel { # handle 13
                	chain prerouting { # handle 1
                		type nat hook prerouting priority dstnat; policy accept;
                		fib daddr type local tcp dport 18080 dnat ip to 10.231.7.2:80 comment "keel att veth1" # handle 12
                		fib daddr type local tcp dport 18081 dnat ip to 10.231.7.3:80 comment "keel att veth10" # handle 14
                	}
                	chain output { # handle 2
                		type nat hook output priority -100; policy accept;
                		fib daddr type local tcp dport 18080 dnat ip to 10.231.7.2:80 comment "keel att veth1" # handle 13
                	}
                }
                """;
        List<Ruleset.Rule> found = Ruleset.rulesWith(listing, "keel att veth1");
        assertEquals(List.of("prerouting/12", "output/13"), found.stream().map(r -> r.chain() + "/" + r.handle()).toList());
        assertEquals("delete rule inet keel prerouting handle 12\ndelete rule inet keel output handle 13\n",
                rules.delete(found));
        assertEquals(List.of(), Ruleset.rulesWith("", "keel att veth1"));
    }

    @Test
    void aTableWithOnlyItsChainsHasNoRules() {
        String chains = """
                table inet keel { # handle 13
                	chain prerouting { # handle 1
                		type nat hook prerouting priority dstnat; policy accept;
                	}
                	chain forward { # handle 4
                		type filter hook forward priority filter; policy accept;
                	}
                }
                """;
        assertFalse(Ruleset.hasRules(chains));
        assertFalse(Ruleset.hasRules(""));
        assertTrue(Ruleset.hasRules(chains.replace("policy accept;\n\t}\n\tchain forward",
                "policy accept;\n\t\toifname \"keel-1\" drop comment \"keel net keel-1\" # handle 9\n\t}\n\tchain forward")));
    }

    @Test
    void textThatCouldEscapeARuleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> rules.networkRules("br\" accept; #", "10.0.0.0/24"));
        assertThrows(IllegalArgumentException.class, () -> rules.attachmentRules("v\n", List.of()));
    }
}
