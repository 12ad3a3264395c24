package keel.storage.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;

class KeysTest {

    @Test
    void keysOfTheKernelPass() {
        for (String key : List.of("a", "0", "sha256:" + "ab".repeat(32), "ctr-1.rootfs", "x_y@z+w=v", "k".repeat(255))) {
            assertEquals(key, Keys.check(key, "key"));
        }
    }

    @Test
    void anythingThatCouldBecomeAPathOrAnOptionIsRefused() {
        for (String key : List.of("", ".", "..", "../x", "a/b", "/", "a\0b", "-rf", ".x", "_x", ":x", "a b", "a\nb",
                "é", "a\\b", "a,b", "k".repeat(256))) {
            KeelException e = assertThrows(KeelException.class, () -> Keys.check(key, "key"), key);
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        }
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(KeelException.class, () -> Keys.check(null, "key")).kind());
    }

    @Test
    void messagesShowControlCharactersEscaped() {
        KeelException e = assertThrows(KeelException.class, () -> Keys.check("a\0b", "parent"));
        assertEquals("snapshot parent 'a\\x00b' contains '\\x00' at 1: only [A-Za-z0-9._:@+=-] are allowed",
                e.getMessage());
    }

    @Test
    void labelsFollowContainerdsLimits() {
        assertEquals(Map.of(), Keys.checkLabels(null));
        assertEquals(Map.of("k", "v"), Keys.checkLabels(Map.of("k", "v")));
        Keys.checkLabels(Map.of("k", "v".repeat(4095)));
        assertThrows(KeelException.class, () -> Keys.checkLabels(Map.of("k", "v".repeat(4096))));
        assertThrows(KeelException.class, () -> Keys.checkLabels(Map.of("", "v")));
        Map<String, String> withNull = new HashMap<>();
        withNull.put("k", null);
        assertThrows(KeelException.class, () -> Keys.checkLabels(withNull));
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= Keys.MAX_LABELS; i++) {
            many.put("l" + i, "v");
        }
        assertThrows(KeelException.class, () -> Keys.checkLabels(many));
    }
}
