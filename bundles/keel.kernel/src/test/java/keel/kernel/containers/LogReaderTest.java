package keel.kernel.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.container.LogEntry;

/** The json-file log as the shim writes it, including what a full disk leaves. */
class LogReaderTest {
    private static String entry(String text) {
        return "{\"log\":\"" + text + "\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T10:00:00.000000001Z\"}\n";
    }

    private static List<String> texts(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::text).toList();
    }

    @Test
    void aLineCutByAFullDiskIsSkippedAndTheLinesAfterItAreRead(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log.json");
        Files.writeString(log, entry("one") + "{\"log\":\"cut by ENOSPC\n" + entry("two"));
        List<LogEntry> all = new ArrayList<>();
        LogReader.read(log, -1, false, () -> true, () -> false, all::add);
        assertEquals(List.of("one\n", "two\n"), texts(all));
    }

    @Test
    void followingGoesPastACutLineButWaitsForAnUnfinishedLastOne(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log.json");
        Files.writeString(log, "");
        List<LogEntry> followed = new ArrayList<>();
        AtomicInteger polls = new AtomicInteger();
        LogReader.read(log, -1, true, () -> true, () -> {
            try {
                switch (polls.getAndIncrement()) {
                    case 0 -> append(log, entry("one") + "{\"log\":\"cut");
                    case 1 -> append(log, "\n" + entry("two") + "{\"log\":\"thr");
                    case 2 -> append(log, "ee\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T10:00:01Z\"}\n");
                    default -> {
                        return false;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return true;
        }, followed::add);
        assertEquals(List.of("one\n", "two\n", "three\n"), texts(followed));
    }

    private static void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardOpenOption.APPEND);
    }
}
