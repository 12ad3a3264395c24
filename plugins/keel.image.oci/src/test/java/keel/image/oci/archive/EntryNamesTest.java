package keel.image.oci.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;

class EntryNamesTest {
    @Test
    void namesAreNormalised() {
        assertEquals("index.json", EntryNames.normalize("./index.json"));
        assertEquals("blobs/sha256", EntryNames.normalize("blobs/sha256/"));
        assertEquals("a/b", EntryNames.normalize("a//./b"));
        assertEquals("", EntryNames.normalize("./"));
    }

    @Test
    void escapingNamesAreRefused() {
        for (String name : new String[] {"../x", "a/../../x", "a/..", "/etc/passwd", "a\\..\\b", "a\0b", ""}) {
            assertThrows(KeelException.class, () -> EntryNames.normalize(name), name);
        }
    }

    @Test
    void linksResolveLexicallyInsideTheArchive() {
        assertEquals("abc/layer.tar", EntryNames.resolveSymlink("def/layer.tar", "../abc/layer.tar"));
        assertEquals("x.tar", EntryNames.resolveSymlink("def/layer.tar", "../x.tar"));
        assertEquals("def/x", EntryNames.resolveSymlink("def/layer.tar", "./x"));
        assertThrows(KeelException.class, () -> EntryNames.resolveSymlink("def/layer.tar", "../../x"));
        assertThrows(KeelException.class, () -> EntryNames.resolveSymlink("layer.tar", "/etc/passwd"));
    }

    @Test
    void onlySha256BlobNamesAreBlobs() {
        assertEquals("sha256:" + "0".repeat(64), EntryNames.blobDigest("blobs/sha256/" + "0".repeat(64)).toString());
        for (String name : new String[] {"blobs/sha256/" + "0".repeat(63), "blobs/sha256/" + "A".repeat(64),
                "blobs/sha512/" + "0".repeat(128), "blobs/x", "blobs/sha256/" + "0".repeat(64) + "/x"}) {
            assertThrows(KeelException.class, () -> EntryNames.blobDigest(name), name);
        }
    }
}
