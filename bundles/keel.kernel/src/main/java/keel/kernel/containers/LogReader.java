package keel.kernel.containers;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.LogEntry;
import keel.kernel.state.Json;

/** Reads a container's json-file log: the last N lines, then what is appended while wanted. */
final class LogReader {
    private LogReader() {
    }

    static void read(Path log, int tail, boolean follow, BooleanSupplier stillWanted, BooleanSupplier running,
            Consumer<LogEntry> sink) {
        try {
            long position = 0;
            if (Files.exists(log)) {
                Deque<LogEntry> last = new ArrayDeque<>();
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    for (String line = file.readLine(); line != null; line = file.readLine()) {
                        LogEntry entry = parse(line);
                        if (entry == null) {
                            continue;
                        }
                        last.addLast(entry);
                        if (tail >= 0 && last.size() > tail) {
                            last.removeFirst();
                        }
                    }
                    position = file.getFilePointer();
                }
                last.forEach(sink);
            }
            while (follow && stillWanted.getAsBoolean()) {
                boolean wasRunning = running.getAsBoolean();
                position = readFrom(log, position, sink);
                if (!wasRunning) {
                    readFrom(log, position, sink);
                    return;
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read the log " + log + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long readFrom(Path log, long position, Consumer<LogEntry> sink) throws IOException {
        if (!Files.exists(log)) {
            return position;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            if (file.length() < position) {
                position = 0; // rotated
            }
            file.seek(position);
            long lineStart = position;
            for (String line = file.readLine(); line != null; line = file.readLine()) {
                if (!line.endsWith("}")) {
                    if (file.getFilePointer() >= file.length()) {
                        break; // the last line, still being written: read it whole next time
                    }
                    lineStart = file.getFilePointer();
                    continue; // a line cut by a full disk, ended by the shim's next write: skipped
                }
                LogEntry entry = parse(line);
                if (entry != null) {
                    sink.accept(entry);
                }
                lineStart = file.getFilePointer();
            }
            return lineStart;
        }
    }

    /** One json-file line; RandomAccessFile reads bytes as Latin-1, so decode them again as UTF-8. */
    static LogEntry parse(String line) {
        try {
            JsonNode node = Json.MAPPER.readTree(line.getBytes(StandardCharsets.ISO_8859_1));
            return new LogEntry(Instant.parse(node.path("time").asText()), node.path("stream").asText(),
                    node.path("log").asText());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
