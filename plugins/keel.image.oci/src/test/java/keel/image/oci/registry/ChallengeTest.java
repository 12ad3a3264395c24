package keel.image.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ChallengeTest {
    @Test
    void dockerHubsBearerChallenge() {
        List<Challenge> challenges = Challenge.parse(List.of("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\""));
        assertEquals(List.of(new Challenge("Bearer", Map.of("realm", "https://auth.docker.io/token", "service",
                "registry.docker.io", "scope", "repository:library/busybox:pull"))), challenges);
    }

    @Test
    void basicAndSeveralChallengesInOneHeader() {
        List<Challenge> challenges = Challenge.parse(List.of("Basic realm=\"keel-test\", Bearer realm=\"https://t/x\","
                + " service=reg"));
        assertEquals(2, challenges.size());
        assertTrue(challenges.get(0).is("basic"));
        assertEquals(Map.of("realm", "keel-test"), challenges.get(0).parameters());
        assertEquals(Map.of("realm", "https://t/x", "service", "reg"), challenges.get(1).parameters());
    }

    @Test
    void quotedEscapesAndOddInputDoNotBreakParsing() {
        assertEquals("a\"b", Challenge.parse(List.of("Bearer realm=\"a\\\"b\"")).get(0).parameters().get("realm"));
        assertEquals(List.of(new Challenge("Negotiate", Map.of())), Challenge.parse(List.of("Negotiate")));
        assertEquals(List.of(), Challenge.parse(List.of("", " , ")));
        Challenge.parse(List.of("Bearer realm=\"unterminated", "=", "Bearer ,,, =x"));
    }
}
