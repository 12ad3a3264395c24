package keel.isolation.linux.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class ShimMessageTest {

    @Test
    void headerRecordsAndEnd() {
        byte[] m = new ShimMessage().mode(ShimMessage.Mode.EXEC).arg("ls").encode();
        assertEquals("4b45454c" + "0001"               // "KEEL", version 1
                + "0001" + "00000001" + "01"              // MODE exec
                + "000a" + "00000002" + "6c73"            // ARG "ls"
                + "001d" + "00000000",                    // END
                HexFormat.of().formatHex(m));
    }

    @Test
    void severalStringsAreNulSeparatedAfterTheFlags() {
        byte[] m = new ShimMessage().mount(LinuxAbi.MS_BIND | LinuxAbi.MS_RDONLY, "/d", "", "/s", "").encode();
        ByteBuffer b = ByteBuffer.wrap(m, 6, m.length - 6);
        assertEquals(ShimMessage.MOUNT, b.getShort());
        assertEquals(8 + 7, b.getInt());
        assertEquals(4097, b.getLong());
        byte[] strings = new byte[7];
        b.get(strings);
        assertArrayEquals("/d\0\0/s\0".getBytes(), strings);
    }

    @Test
    void deviceIsPathNulThenTwentyOneBytes() {
        byte[] m = new ShimMessage().device("/dev/null", 'c', 1, 3, 0666, 0, 5).encode();
        ByteBuffer b = ByteBuffer.wrap(m, 6, m.length - 6);
        assertEquals(ShimMessage.DEVICE, b.getShort());
        assertEquals("/dev/null".length() + 1 + 21, b.getInt());
        b.position(b.position() + "/dev/null".length() + 1);
        assertEquals('c', b.get());
        assertEquals(1, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals(0666, b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(5, b.getInt());
    }

    @Test
    void aSingleValuedRecordIsReplacedARepeatableOneAdded() {
        byte[] once = new ShimMessage().cwd("/b").arg("x").arg("y").encode();
        assertArrayEquals(once, new ShimMessage().cwd("/a").arg("x").cwd("/b").arg("y").encode());
    }

    @Test
    void aNulInsideAStringIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ShimMessage().arg("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> new ShimMessage().joinNamespace("net", "/x\0"));
    }

    @Test
    void dockersDefaultCapabilities() {
        assertEquals(0xa80425fbL, Harness.DOCKER_CAPS);
        assertEquals(1L << 21, LinuxAbi.capabilities(List.of("CAP_SYS_ADMIN")));
        assertThrows(IllegalArgumentException.class, () -> LinuxAbi.capabilities(List.of("CAP_FLY")));
    }

    @Test
    void rlimitNumbers() {
        assertEquals(7, LinuxAbi.rlimit("RLIMIT_NOFILE"));
        assertEquals(6, LinuxAbi.rlimit("rlimit_nproc"));
        assertThrows(IllegalArgumentException.class, () -> LinuxAbi.rlimit("RLIMIT_SPEED"));
    }
}
