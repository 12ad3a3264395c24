package keel.isolation.linux.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;

/** The one sealed in-memory copy of keel-shim that every start runs. */
class SealedShimTest {

    @Test
    void holdsTheBinaryAndCannotBeChanged() throws Exception {
        try (SealedShim sealed = SealedShim.of(Harness.SHIM)) {
            assertArrayEquals(Files.readAllBytes(Harness.SHIM), Files.readAllBytes(sealed.path()));
            assertThrows(IOException.class, () -> Files.write(sealed.path(), new byte[] {1},
                    StandardOpenOption.WRITE));
            assertThrows(IOException.class, () -> Files.write(sealed.path(), new byte[] {1},
                    StandardOpenOption.APPEND));
            assertArrayEquals(Files.readAllBytes(Harness.SHIM), Files.readAllBytes(sealed.path()));
        }
    }

    @Test
    void runsAsTheShim() throws Exception {
        try (SealedShim sealed = SealedShim.of(Harness.SHIM)) {
            Process p = new ProcessBuilder(sealed.path().toString()).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            assertTrue(out.startsWith("ERROR 22 message"), "the shim should refuse an empty message: " + out);
        }
    }
}
