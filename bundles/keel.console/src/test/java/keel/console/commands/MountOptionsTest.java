package keel.console.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;
import keel.api.container.MountRequest;

class MountOptionsTest {

    @Test
    void dashVIsABindAVolumeOrAnAnonymousVolume() {
        assertEquals(new MountRequest("bind", "/srv/data", "/data", false, true, null, null),
                MountOptions.volume("/srv/data:/data"));
        assertEquals(new MountRequest("bind", "/srv/data", "/data", true, true, null, null),
                MountOptions.volume("/srv/./data/:/data/:ro"));
        assertEquals(new MountRequest("volume", "cache", "/var/cache", false, false, null, null),
                MountOptions.volume("cache:/var/cache:rw"));
        assertEquals(new MountRequest("volume", null, "/scratch", false, false, null, null),
                MountOptions.volume("/scratch"));
    }

    @Test
    void dashVErrorsNameTheValue() {
        for (String bad : new String[] {"./rel:/x", "a:b:c:d", "/h:x", "/h:/x:z", "/h:/a/../b", "/h:/", ""}) {
            KeelException e = assertThrows(KeelException.class, () -> MountOptions.volume(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertEquals(125, e.kind().exitCode());
        }
    }

    @Test
    void mountTakesDockersKeys() {
        assertEquals(new MountRequest("bind", "/h", "/c", true, false, null, null),
                MountOptions.mount("type=bind,source=/h,target=/c,readonly"));
        assertEquals(new MountRequest("volume", "v1", "/c", false, false, null, null),
                MountOptions.mount("src=v1,dst=/c,ro=false"));
        assertEquals(new MountRequest("volume", null, "/c", false, false, null, null),
                MountOptions.mount("type=volume,destination=/c"));
        assertEquals(new MountRequest("tmpfs", null, "/t", false, false, 64L << 20, 01777),
                MountOptions.mount("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777"));
    }

    @Test
    void mountErrorsNameTheBadKey() {
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=bind,src=/h,target=/c,colour=red"))
                .getMessage().contains("unknown key 'colour'"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=nfs,target=/c"))
                .getMessage().contains("unknown type 'nfs'"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=bind,src=/h"))
                .getMessage().contains("target is required"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=bind,src=rel,target=/c"))
                .getMessage().contains("source=ABSOLUTE-HOST-PATH"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=tmpfs,src=/h,target=/c"))
                .getMessage().contains("has no source"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=volume,target=/c,tmpfs-size=1m"))
                .getMessage().contains("for type=tmpfs"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("target=/c,readonly=maybe"))
                .getMessage().contains("readonly=maybe"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.mount("type=tmpfs,target=/c,tmpfs-mode=999"))
                .getMessage().contains("'999'"));
    }

    @Test
    void tmpfsTakesSizeAndMode() {
        assertEquals(new MountRequest("tmpfs", null, "/tmp", false, false, null, null), MountOptions.tmpfs("/tmp"));
        assertEquals(new MountRequest("tmpfs", null, "/run", true, false, 1L << 20, 0755),
                MountOptions.tmpfs("/run:size=1m,mode=755,ro"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.tmpfs("/run:exec"))
                .getMessage().contains("unknown option 'exec'"));
        assertTrue(assertThrows(KeelException.class, () -> MountOptions.tmpfs("run")).getMessage()
                .contains("must be absolute"));
    }
}
