package keel.isolation.linux.shim;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test of real containers: as root only (skipped, saying so, otherwise), each test with its own
 * {@link Harness} and a state directory "c" in it; {@link Harness#close} then checks nothing is left.
 */
abstract class HarnessTest {
    protected Harness h;
    protected Path state;

    @BeforeEach
    void openHarness() throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).contains("\nUid:\t0\t"), "needs root");
        h = new Harness();
        state = h.state("c");
    }

    @AfterEach
    void closeHarness() throws Exception {
        if (h != null) {
            h.close();
        }
    }
}
