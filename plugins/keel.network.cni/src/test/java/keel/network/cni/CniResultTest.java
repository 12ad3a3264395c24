package keel.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;

/** Results as the Debian 1.1.1 plugins print them (the bridge plugin's, copied from a run), read into an attachment's fields. */
class CniResultTest {
    private static final String BRIDGE_RESULT = """
            {"cniVersion": "1.0.0",
             "interfaces": [{"name": "kcniexp0", "mac": "0a:75:76:a4:41:6d"},
                            {"name": "vethc7e81092", "mac": "46:48:07:cc:f0:c0"},
                            {"name": "eth0", "mac": "0a:36:7a:41:94:94", "sandbox": "/var/run/netns/kcni-exp1"}],
             "ips": [{"interface": 2, "address": "10.89.250.2/24", "gateway": "10.89.250.1"}],
             "routes": [{"dst": "0.0.0.0/0"}],
             "dns": {}}
            """;

    @Test
    void theBridgePluginsResult() {
        CniResult r = CniResult.parse(Json.object(BRIDGE_RESULT, "result"), "test");
        assertEquals(List.of("10.89.250.2/24"), r.addresses());
        assertEquals("10.89.250.1", r.gateway());
        assertEquals("vethc7e81092", r.hostInterface("kcniexp0"), "the host end of the veth, not the bridge");
        assertEquals("0a:36:7a:41:94:94", r.containerInterface("eth0").mac());
        assertEquals("kcniexp0 (host), vethc7e81092 (host), eth0 (container)", r.facts().get("interfaces"));
        assertEquals("0.0.0.0/0", r.facts().get("routes"));
        assertEquals(null, r.facts().get("dns.nameservers"), "no DNS in the result, none in the facts");
    }

    @Test
    void routesWithGatewaysAndDns() {
        CniResult r = CniResult.parse(Json.object("""
                {"cniVersion": "1.0.0", "ips": [{"address": "fd00::2/64", "gateway": "fd00::1"},
                                                {"address": "10.0.0.2/24", "gateway": "10.0.0.1"}],
                 "routes": [{"dst": "0.0.0.0/0", "gw": "10.0.0.1"}, {"dst": "192.168.0.0/16"}],
                 "dns": {"nameservers": ["10.0.0.53", "10.0.0.54"], "domain": "example.test", "search": ["a.test"],
                         "options": ["ndots:2"]}}
                """, "result"), "test");
        assertEquals("10.0.0.1", r.gateway(), "the IPv4 gateway first");
        assertEquals("0.0.0.0/0 via 10.0.0.1, 192.168.0.0/16", r.facts().get("routes"));
        assertEquals("10.0.0.53,10.0.0.54", r.facts().get("dns.nameservers"));
        assertEquals("example.test", r.facts().get("dns.domain"));
        assertEquals("a.test", r.facts().get("dns.search"));
        assertEquals("ndots:2", r.facts().get("dns.options"));
    }

    @Test
    void anAddressWithoutPrefixIsRefused() {
        assertThrows(KeelException.class, () -> CniResult.parse(Json.object(
                "{\"ips\": [{\"address\": \"10.0.0.2\"}]}", "result"), "test"));
    }

    @Test
    void theMasqueradeChainIsNamedAsTheBridgePluginNamesIt() {
        // printf 'kcniexpc1' | sha512sum: the chain the 1.1.1 plugin made for network kcniexp, container c1
        assertEquals("CNI-4f1f71d35538c7555795e93c", MasqChains.chain("kcniexp", "c1"));
    }
}
