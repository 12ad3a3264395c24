package keel.kernel.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.image.Digest;
import keel.api.image.ImageConfig;
import keel.api.image.ImageConfig.RunConfig;

class CommitConfigTest {
    static final RunConfig IMAGE = new RunConfig(null, Set.of("80/tcp"), List.of("PATH=/bin", "A=image"),
            List.of(), List.of("/bin/sh"), null, "/", Map.of("from", "image"), null);

    static ContainerConfig container(List<String> entrypoint, List<String> cmd, List<String> env, String user) {
        return new ContainerConfig("c", "busybox", null, entrypoint, cmd, env, null, user, null, false, false,
                false, false, null, null, null, null, null, null, Map.of("from", "container"), null);
    }

    @Test
    void theContainersOverridesGoOverTheImagesDefaults() {
        RunConfig run = CommitConfig.of(container(null, List.of("sleep", "1"), List.of("A=container", "B=b"), "nobody"),
                IMAGE);
        assertEquals(List.of("sleep", "1"), run.cmd());
        assertEquals(List.of("PATH=/bin", "A=container", "B=b"), run.env());
        assertEquals("nobody", run.user());
        assertEquals(Map.of("from", "container"), run.labels());
        assertEquals(Set.of("80/tcp"), run.exposedPorts());
        RunConfig entry = CommitConfig.of(container(List.of("/app"), null, List.of(), null), IMAGE);
        assertEquals(List.of("/app"), entry.entrypoint());
        assertEquals(List.of(), entry.cmd(), "an entrypoint given without a command drops the image's command");
    }

    @Test
    void instructionsApplyAsInADockerfile() {
        RunConfig run = CommitConfig.apply(IMAGE, List.of("CMD [\"cat\", \"/f\"]", "ENTRYPOINT /init --x",
                "ENV A=changed C=\"quoted\"", "ENV D d value", "EXPOSE 53/udp 8080", "LABEL k=v", "USER 1000:1000",
                "workdir /srv"));
        assertEquals(List.of("cat", "/f"), run.cmd());
        assertEquals(List.of("/bin/sh", "-c", "/init --x"), run.entrypoint());
        assertEquals(List.of("PATH=/bin", "A=changed", "C=quoted", "D=d value"), run.env());
        assertEquals(Set.of("80/tcp", "53/udp", "8080/tcp"), run.exposedPorts());
        assertEquals("v", run.labels().get("k"));
        assertEquals("1000:1000", run.user());
        assertEquals("/srv", run.workingDir());
    }

    @Test
    void badInstructionsAreRefusedNamingThem() {
        for (String bad : List.of("RUN rm -rf /", "CMD", "CMD [1, 2]", "CMD [\"x\"", "EXPOSE http", "WORKDIR rel",
                "ENV novalue")) {
            KeelException e = assertThrows(KeelException.class, () -> CommitConfig.apply(IMAGE, List.of(bad)));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void theCommittedConfigKeepsTheParentsFieldsAndAddsALayer() {
        byte[] parent = """
                {"architecture":"amd64","os":"linux","custom":{"kept":true},
                 "config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},
                 "history":[{"created_by":"import"}]}""".formatted("a".repeat(64)).getBytes(StandardCharsets.UTF_8);
        Digest layer = Digest.parse("sha256:" + "b".repeat(64));
        byte[] json = OciJson.committedConfig(parent, IMAGE, layer, Instant.parse("2026-01-01T00:00:00Z"), "me",
                "sh -c x", "msg");
        ImageConfig config = OciJson.config(json);
        assertEquals(List.of(Digest.parse("sha256:" + "a".repeat(64)), layer), config.diffIds());
        assertEquals(2, config.history().size());
        assertEquals("msg", config.history().get(1).comment());
        assertEquals(List.of("/bin/sh"), config.config().cmd());
        assertEquals(List.of("PATH=/bin", "A=image"), config.config().env());
        assertTrue(new String(json, StandardCharsets.UTF_8).contains("\"custom\":{\"kept\":true}"));
    }
}
