package keel.storage.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import keel.api.storage.SnapshotKind;

class SnapshotRecordTest {

    @Test
    void roundTripsAnyLabelText() throws IOException {
        SnapshotRecord record = new SnapshotRecord(12, "sha256:abc", 11, SnapshotKind.COMMITTED,
                Instant.parse("2026-01-02T03:04:05.123456789Z"),
                Map.of("a=b:c", "line\nbreak\ttab \0 nul", "ünï", "コード", "#comment", "!bang"));
        byte[] bytes = record.toBytes();
        assertEquals(record, SnapshotRecord.parse(bytes));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(text.chars().allMatch(c -> c < 0x80), "records are ASCII");
        assertTrue(text.lines().noneMatch(l -> l.startsWith("#")), "no date comment: the same record is the same bytes");
        assertEquals(new String(bytes, StandardCharsets.ISO_8859_1),
                new String(record.toBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aBaseSnapshotHasNoParentLine() throws IOException {
        SnapshotRecord record = new SnapshotRecord(1, "a", 0, SnapshotKind.ACTIVE, Instant.EPOCH, null);
        assertTrue(!new String(record.toBytes(), StandardCharsets.US_ASCII).contains("parent"));
        assertEquals(record, SnapshotRecord.parse(record.toBytes()));
    }

    @Test
    void damagedRecordsAreRefusedNamingTheProblem() {
        String good = "created=2026-01-01T00:00:00Z\nformat=1\nid=3\nkey=a\nkind=ACTIVE\n";
        assertThrows(IOException.class, () -> SnapshotRecord.parse(good.replace("format=1", "format=9").getBytes()));
        assertTrue(assertThrows(IOException.class, () -> SnapshotRecord.parse(good.replace("key=a\n", "").getBytes()))
                .getMessage().contains("'key'"));
        assertThrows(IOException.class, () -> SnapshotRecord.parse(good.replace("key=a", "key=../a").getBytes()));
        assertThrows(IOException.class, () -> SnapshotRecord.parse(good.replace("ACTIVE", "RUNNING").getBytes()));
        assertThrows(IOException.class, () -> SnapshotRecord.parse(good.replace("id=3", "id=x").getBytes()));
        assertThrows(IOException.class, () -> SnapshotRecord.parse((good + "parent=3\n").getBytes()));
        assertThrows(IOException.class, () -> SnapshotRecord.parse("created=2026-01-01T00:00:00Z\nformat=1\nid=3\nke"
                .getBytes()));
    }
}
