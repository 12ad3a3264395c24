package keel.isolation.linux.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import keel.api.isolation.ExitStatus;

/**
 * {@code <state dir>/exit.json}, which keel-shim writes atomically when the process has ended:
 * {@code {"code":N,"signal":S,"finishedAt":"RFC 3339"}}, code being the exit status or 128 + the
 * killing signal. The shim's own fixed format, so a pattern reads it.
 */
public final class ExitFile {

    public static final String NAME = "exit.json";

    private static final Pattern FORMAT =
            Pattern.compile("\\{\"code\":(-?\\d+),\"signal\":(\\d+),\"finishedAt\":\"([^\"]+)\"\\}\\s*");

    private ExitFile() {
    }

    /** The exit status, or empty while the process runs (or if its shim was killed, or the machine crashed). */
    public static Optional<ExitStatus> read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (text.isEmpty()) {
            return Optional.empty();   // renamed into place but never written out: a machine crash (not fsynced)
        }
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IOException(file + " is not keel-shim's exit record: " + text.strip());
        }
        return Optional.of(new ExitStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Instant.parse(m.group(3))));
    }
}
