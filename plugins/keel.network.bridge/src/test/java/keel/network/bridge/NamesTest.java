package keel.network.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;

class NamesTest {
    private static final String NET = "8ccd04dd5ddceffa5ef8fbd84b841ceb83e4f4ab2d0b7a9c4820d3ef31e77849";

    @Test
    void interfaceNamesFitTheKernelsFifteenBytes() {
        String host = Names.hostVeth("veth", "f".repeat(64), NET);
        assertEquals(15, host.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(host.startsWith("veth"));
        assertEquals(host, Names.hostVeth("veth", "f".repeat(64), NET), "the same attachment, the same name");
        assertNotEquals(host, Names.hostVeth("veth", "f".repeat(64), NET.replace('8', '9')), "another network");
        assertNotEquals(host, Names.peerVeth("veth", "f".repeat(64), NET));
        assertEquals("keel-8ccd04dd5d", Names.userBridge("keel-", NET));
    }

    @Test
    void namesFromRequestsAreChecked() {
        Names.checkInterfaceName("eth0", "x");
        for (String bad : new String[] {"", "a234567890123456", "eth0/..", "-x", "a b", "a\u0000"}) {
            assertThrows(KeelException.class, () -> Names.checkInterfaceName(bad, "x"), bad);
        }
        assertThrows(KeelException.class, () -> Names.checkContainerId("a b"));
        assertThrows(KeelException.class, () -> Names.checkContainerId("a\nlease 10.0.0.2 v c"));
        assertThrows(KeelException.class, () -> Names.checkNetworkName("../etc"));
        assertThrows(KeelException.class, () -> new BridgeSettings(java.nio.file.Path.of("/x"), "keel; flush ruleset",
                "keel0", "keel-", "veth", "nft"));
    }
}
