package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code keel daemon} in the foreground on a terminal (a pseudo-terminal from script(1)): the Gogo
 * console runs the same commands in scope keel, and ends the daemon when told to exit.
 */
class ConsoleTest {

    @Test
    void theConsoleRunsKeelCommandsAndStopsTheDaemonOnExit() throws Exception {
        Keel keel = new Keel("console");
        String daemon = String.join(" ", keel.command(List.of("daemon")));
        Process script = Keel.builder(List.of("script", "-qfec", daemon, "/dev/null")).redirectErrorStream(true).start();
        try (OutputStream in = script.getOutputStream()) {
            in.write("keel:version\nkeel:drivers\nlb keel\nkeel:info --bogus\nexit 0\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            String out = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
            assertTrue(script.waitFor(60, TimeUnit.SECONDS), "the console did not end the daemon");
            assertTrue(out.contains("Welcome to Apache Felix Gogo"), out);
            assertTrue(out.contains("Keel version "), out);
            assertTrue(out.contains("KIND        DRIVER"), out);
            assertTrue(out.contains("Active     |    1|keel.kernel"), out);
            assertTrue(out.contains("keel: unknown option --bogus for 'keel info'"), out);
            assertEquals(0, script.exitValue(), out);
            assertEquals(-1, keel.daemonPid(), "the daemon must be gone after exit");
        } finally {
            script.destroyForcibly();
            keel.close();
        }
    }
}
