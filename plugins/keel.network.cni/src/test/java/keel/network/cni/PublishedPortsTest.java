package keel.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PublishedPortsTest {

    @Test
    void portmapsDispatchRulesNameEachPortsContainer() {
        String rules = """
                -N CNI-HOSTPORT-DNAT
                -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"web\\" id: \\"c1\\"" -m multiport --dports 18999,19000 -j CNI-DN-4f1f71d35538c7555795e
                -A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"dns\\" id: \\"c2\\"" -m multiport --dports 53 -j CNI-DN-aaaa
                """;
        assertEquals(Map.of("18999/tcp", "container c1 on network web", "19000/tcp", "container c1 on network web",
                "53/udp", "container c2 on network dns"), PublishedPorts.parse(rules));
    }
}
