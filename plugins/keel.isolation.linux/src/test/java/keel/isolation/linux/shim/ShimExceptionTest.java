package keel.isolation.linux.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShimExceptionTest {

    @Test
    void parsesTheShimsErrorLine() {
        ShimException e = ShimException.parse("ERROR 2 exec nosuch: not found in PATH");
        assertEquals(2, e.errno());
        assertEquals("exec", e.stage());
        assertEquals("nosuch: not found in PATH", e.detail());
        assertTrue(e.commandNotFound());
        assertTrue(ShimException.parse("ERROR 13 exec /x: Permission denied").commandNotInvokable());
        assertNull(ShimException.parse("STARTED"));
        assertNull(ShimException.parse("ERROR x y"));
    }
}
