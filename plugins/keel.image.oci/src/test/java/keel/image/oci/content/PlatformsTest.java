package keel.image.oci.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.Platform;

class PlatformsTest {
    private static Platform p(String os, String arch, String variant) {
        return new Platform(os, arch, variant);
    }

    @Test
    void architectureNamesAndDefaultVariantsAreNormalised() {
        assertEquals(p("linux", "amd64", null), Platforms.normalize(p("Linux", "x86_64", null)));
        assertEquals(p("linux", "arm64", null), Platforms.normalize(p("linux", "aarch64", "v8")));
        assertEquals(p("linux", "arm", "v7"), Platforms.normalize(p("linux", "arm", null)));
        assertEquals(p("linux", "arm", "v7"), Platforms.normalize(p("linux", "armhf", null)));
        assertEquals(p("linux", "386", null), Platforms.normalize(p("linux", "i686", null)));
    }

    @Test
    void matching() {
        assertTrue(Platforms.matches(p("linux", "amd64", null), p("linux", "x86_64", null)));
        assertFalse(Platforms.matches(p("linux", "amd64", null), p("windows", "amd64", null)));
        assertFalse(Platforms.matches(p("linux", "amd64", null), p("linux", "arm64", null)));
        assertTrue(Platforms.matches(p("linux", "arm", "v7"), p("linux", "arm", "v6")));
        assertFalse(Platforms.matches(p("linux", "arm", "v6"), p("linux", "arm", "v7")));
    }

    @Test
    void selectionPrefersTheExactVariantThenTheHighestCompatible() {
        List<Platform> candidates = List.of(p("linux", "arm", "v5"), p("linux", "arm", "v6"), p("linux", "arm64", null));
        assertEquals(p("linux", "arm", "v6"), Platforms.select(candidates, Function.identity(),
                p("linux", "arm", null), "test"));
        List<Platform> withExact = List.of(p("linux", "arm", "v6"), p("linux", "arm", "v7"));
        assertEquals(p("linux", "arm", "v7"), Platforms.select(withExact, Function.identity(), p("linux", "arm", "v7"),
                "test"));
        assertEquals(p("linux", "arm64", null), Platforms.select(candidates, Function.identity(),
                p("linux", "arm64", "v8"), "test"));
    }

    @Test
    void noMatchNamesWhatIsAvailable() {
        List<Platform> candidates = List.of(p("linux", "amd64", null), p("linux", "arm", "v7"), p("linux", "amd64", null));
        KeelException e = assertThrows(KeelException.class, () -> Platforms.select(candidates, Function.identity(),
                p("linux", "ppc64le", null), "image x"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals("no image for platform linux/ppc64le in image x: available platforms: linux/amd64, linux/arm/v7",
                e.getMessage());
        KeelException none = assertThrows(KeelException.class, () -> Platforms.select(java.util.Collections.singletonList((Platform) null),
                Function.identity(), p("linux", "amd64", null), "image y"));
        assertTrue(none.getMessage().endsWith("none declared"));
    }
}
