package keel.kernel.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import keel.api.container.ContainerConfig;
import keel.api.network.PortMapping;
import keel.kernel.state.Json;

/** The records a daemon wrote before network aliases, -P and connections still read (live restore). */
class ContainerConfigJsonTest {

    @Test
    void aConfigWithAliasesAndPublishAllRoundTrips() {
        ContainerConfig config = new ContainerConfig("c", "img", null, null, List.of("sh"), List.of(), null, null,
                null, false, false, false, false, null, null, "net", null, List.of(), null, Map.of(),
                List.of(new PortMapping(null, 0, 80, "tcp")), List.of("db"), true, List.of(), false);
        ContainerConfig read = Json.read(Json.write(config), Json.MAPPER.constructType(ContainerConfig.class), "c");
        assertEquals(config, read);
    }

    @Test
    void anOlderConfigAndRecordReadWithoutTheNewFields() {
        String json = "{\"name\":\"c\",\"image\":\"img\",\"cmd\":[\"sh\"],\"network\":\"bridge\",\"ports\":[]}";
        ContainerConfig read = Json.read(json.getBytes(StandardCharsets.UTF_8),
                Json.MAPPER.constructType(ContainerConfig.class), "c");
        assertEquals(List.of(), read.networkAliases());
        assertFalse(read.publishAll());
        ContainerRecord.Connection connection = Json.read("{\"network\":\"n\"}".getBytes(StandardCharsets.UTF_8),
                Json.MAPPER.constructType(ContainerRecord.Connection.class), "c");
        assertEquals(List.of(), connection.aliases());
    }
}
