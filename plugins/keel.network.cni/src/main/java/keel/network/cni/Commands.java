package keel.network.cni;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import keel.api.KeelException;

/** Runs a host tool (ip, iptables) with a clean environment, no stdin and a timeout; output through files. */
final class Commands {
    record Result(int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }
    }

    private final Duration timeout;
    private final Path scratch;

    Commands(Duration timeout, Path scratch) {
        this.timeout = timeout;
        this.scratch = scratch;
    }

    Result run(List<String> command) {
        Path out = null;
        Path err = null;
        try {
            Files.createDirectories(scratch);
            out = Files.createTempFile(scratch, "cmd", ".out");
            err = Files.createTempFile(scratch, "cmd", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).directory(new File("/"))
                    .redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw KeelException.unavailable("%s did not finish within %d ms and was killed", String.join(" ", command),
                        timeout.toMillis());
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw KeelException.internal("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeelException.unavailable("interrupted while running %s", String.join(" ", command));
        } finally {
            for (Path p : new Path[] {out, err}) {
                if (p != null) {
                    p.toFile().delete();
                }
            }
        }
    }
}
