package keel.layer.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import keel.api.KeelException;

class EntryPathTest {
    private static EntryPath parse(String name) {
        return EntryPath.parse(name.getBytes(StandardCharsets.UTF_8), 4096, "entry", name);
    }

    @ParameterizedTest
    @CsvSource({"a,a,''", "/a,a,''", "./a/b/,a/b,a", "a//b/./c,a/b/c,a/b", "a/../b,b,''", "a/b/../../c,c,''",
            "///x/y,x/y,x", "a/b/..,a,''"})
    void cleansAsContainerdButByBytes(String raw, String cleaned, String parent) {
        EntryPath p = parse(raw);
        assertEquals(cleaned, p.key());
        assertEquals(parent, p.parentKey());
        assertEquals(cleaned, p.parent().isRoot() ? p.key() : p.parent().key() + "/" + RootDir.show(p.baseZ()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "/", "./", "a/.."})
    void theRootItself(String raw) {
        assertTrue(parse(raw).isRoot());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../a", "a/../../b", "/../a", "./../a", "a/b/../../../c"})
    void climbingIsRefused(String raw) {
        KeelException e = assertThrows(KeelException.class, () -> parse(raw));
        assertTrue(e.getMessage().contains("climbs above the root"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\0b", "\0", "a/\0/b"})
    void nulIsRefused(String raw) {
        assertThrows(KeelException.class, () -> parse(raw));
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 4097})
    void theLimitIsOnTheRawName(int length) {
        String name = "a".repeat(200) + "/".repeat(length - 200);
        if (length > 4096) {
            assertThrows(KeelException.class, () -> parse(name));
        } else {
            assertEquals("a".repeat(200), parse(name).key());
        }
    }

    @ParameterizedTest
    @CsvSource({".wh.x,true", "a/.wh.x,true", ".wh..wh..opq,true", "x.wh.,false", ".w,false"})
    void whiteoutPrefix(String raw, boolean whiteout) {
        assertEquals(whiteout, parse(raw).baseStartsWith(Unpack.WHITEOUT_PREFIX));
    }

    @ParameterizedTest
    @CsvSource({"'1 x=y\n',false", "'5 x=\n',true", "'9 path=a\n',true"})
    void paxRecordsAreStrict(String data, boolean valid) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        if (valid) {
            PaxRecords.parse(bytes);
        } else {
            assertThrows(KeelException.class, () -> PaxRecords.parse(bytes));
        }
    }
}
