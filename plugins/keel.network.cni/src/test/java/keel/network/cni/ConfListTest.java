package keel.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;
import keel.api.network.PortMapping;

class ConfListTest {

    @Test
    void theGeneratedBridgeListHasBridgeHostLocalPortmapAndFirewall() {
        ConfList list = BridgeConfList.of("web", "keelcni0", Cidr.parse("10.89.0.0/24"), null, 1400,
                Path.of("/var/lib/keel/network.cni/ipam"), "generated");
        assertEquals(List.of("bridge", "portmap", "firewall"), List.of(list.type(0), list.type(1), list.type(2)));
        ObjectNode bridge = list.plugins().get(0);
        assertEquals("keelcni0", bridge.get("bridge").asText());
        assertTrue(bridge.get("isGateway").asBoolean() && bridge.get("ipMasq").asBoolean() && bridge.get("hairpinMode").asBoolean());
        assertEquals(1400, bridge.get("mtu").asInt());
        assertEquals("host-local", bridge.at("/ipam/type").asText());
        assertEquals("/var/lib/keel/network.cni/ipam", bridge.at("/ipam/dataDir").asText());
        assertEquals("10.89.0.0/24", list.subnet());
        assertEquals("10.89.0.1", list.gateway());
        assertEquals(list, ConfList.parse(list.toJson(), "generated", false), "what an attachment keeps reads back the same");
    }

    @Test
    void eachPluginGetsTheListsNameVersionPrevResultAndOnlyTheRuntimeConfigItAskedFor() {
        ConfList list = BridgeConfList.of("web", "keelcni0", Cidr.parse("10.89.0.0/24"), null, 0, Path.of("/x"), "generated");
        ObjectNode runtime = Ports.runtimeConfig(List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp")));
        ObjectNode prev = Json.object("{\"cniVersion\":\"1.0.0\",\"ips\":[]}", "prev");

        ObjectNode bridge = list.pluginInput(0, null, runtime);
        assertEquals("web", bridge.get("name").asText());
        assertEquals("1.0.0", bridge.get("cniVersion").asText());
        assertFalse(bridge.has("prevResult"), "the first plugin of an ADD has none");
        assertFalse(bridge.has("runtimeConfig"), "the bridge plugin declared no capability");

        ObjectNode portmap = list.pluginInput(1, prev, runtime);
        assertEquals(prev, portmap.get("prevResult"));
        assertEquals("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"127.0.0.1\"}]}",
                Json.text(portmap.get("runtimeConfig")));
        assertFalse(list.plugins().get(1).has("prevResult"), "the list itself is not changed");
    }

    @Test
    void aSinglePluginConfIsAListOfOne() {
        ConfList list = ConfList.parse("{\"cniVersion\":\"0.3.1\",\"name\":\"old\",\"type\":\"bridge\",\"bridge\":\"b0\"}",
                "10-old.conf", true);
        assertEquals(1, list.plugins().size());
        assertEquals("bridge", list.type(0));
        assertFalse(list.plugins().get(0).has("name"));
        assertFalse(list.supportsCheck(), "CHECK came with 0.4.0");
        assertTrue(BridgeConfList.loopback().supportsCheck());
    }

    @Test
    void badListsAreRefusedNamingTheFileAndTheProblem() {
        Map<String, String> cases = Map.of(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"x\"}", "f.conflist has no plugins",
                "{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\"}]}", "f.conflist lacks its name",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"../../bin/sh\"}]}", "never a path",
                "{\"cniVersion\":\"one\",\"name\":\"x\",\"plugins\":[{\"type\":\"bridge\"}]}", "is not a version",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"../etc\",\"plugins\":[{\"type\":\"bridge\"}]}", "network name '../etc'",
                "[1, 2]", "f.conflist is not a JSON object",
                "{\"cniVersion\":", "f.conflist is not valid JSON");
        cases.forEach((text, expected) -> {
            KeelException e = assertThrows(KeelException.class, () -> ConfList.parse(text, "f.conflist", false), text);
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        });
    }
}
