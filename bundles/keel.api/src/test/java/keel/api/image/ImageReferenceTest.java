package keel.api.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import keel.api.KeelException;

class ImageReferenceTest {

    @ParameterizedTest
    @CsvSource({
        "busybox, docker.io/library/busybox:latest",
        "busybox:1.36, docker.io/library/busybox:1.36",
        "user/app, docker.io/user/app:latest",
        "127.0.0.1:5000/app:v1, 127.0.0.1:5000/app:v1",
        "localhost/app, localhost/app:latest",
        "quay.io/org/sub/app:tag, quay.io/org/sub/app:tag",
    })
    void normalisesAsDockerDoes(String input, String expected) {
        assertEquals(expected, ImageReference.parse(input).toString());
    }

    @Test
    void keepsADigestAndNoDefaultTagWithIt() {
        String hex = "a".repeat(64);
        ImageReference ref = ImageReference.parse("busybox@sha256:" + hex);
        assertNull(ref.tag());
        assertEquals("sha256:" + hex, ref.digest().toString());
        assertEquals("busybox@sha256:" + hex, ref.familiar());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Busybox", "busy box", "a/../b", "app:bad/tag", "app@sha256:xyz", "app@md5:"
            + "0123456789abcdef0123456789abcdef"})
    void refusesMalformedReferences(String input) {
        assertThrows(KeelException.class, () -> ImageReference.parse(input));
    }

    @Test
    void digestsAreStrictBecauseTheyBecomePaths() {
        assertThrows(KeelException.class, () -> Digest.parse("sha256:../../etc/passwd"));
        assertThrows(KeelException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertEquals("sha256", Digest.parse("sha256:" + "0".repeat(64)).algorithm());
    }
}
