package keel.layer.tar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Runs a shell command for a test; a non-zero exit fails it with the command's output. */
final class Sh {
    private Sh() {
    }

    static String run(String command) {
        try {
            Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException("'" + command + "' exited " + rc + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean has(String tool) {
        try {
            return new ProcessBuilder("bash", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String q(Object path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }
}
