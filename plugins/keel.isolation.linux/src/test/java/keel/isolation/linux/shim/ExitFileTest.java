package keel.isolation.linux.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.isolation.ExitStatus;

class ExitFileTest {

    @TempDir
    Path dir;

    @Test
    void absentWhileRunning() throws IOException {
        assertTrue(ExitFile.read(dir).isEmpty());
    }

    @Test
    void readsTheShimsRecord() throws IOException {
        Files.writeString(dir.resolve("exit.json"), "{\"code\":137,\"signal\":9,\"finishedAt\":\"2024-05-01T12:00:00.123456789Z\"}\n");
        assertEquals(new ExitStatus(137, 9, Instant.parse("2024-05-01T12:00:00.123456789Z")), ExitFile.read(dir).get());
    }

    @Test
    void anEmptyRecordLeftByAMachineCrashIsAbsent() throws IOException {
        Files.writeString(dir.resolve("exit.json"), "");
        assertTrue(ExitFile.read(dir).isEmpty());
    }

    @Test
    void anythingElseIsAnError() throws IOException {
        Files.writeString(dir.resolve("exit.json"), "{\"code\":1}");
        assertThrows(IOException.class, () -> ExitFile.read(dir));
    }
}
