package keel.console.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.console.frames.Frame;

class HelloTest {
    @Test
    void theHelloCarriesTheTerminalAndTheArguments() throws Exception {
        byte[] payload = "keel/1\0/root\0001\0000\00024\00080\0run\0-it\0busybox\0".getBytes(StandardCharsets.UTF_8);
        Hello hello = Hello.parse(new Frame(Frame.HELLO, payload));
        assertEquals("/root", hello.cwd());
        assertTrue(hello.stdinTty());
        assertEquals(24, hello.rows());
        assertEquals(80, hello.cols());
        assertEquals(List.of("run", "-it", "busybox"), hello.args());
        assertThrows(IOException.class, () -> Hello.parse(new Frame(Frame.HELLO,
                "keel/9\0/\0000\0000\0000\0000\0".getBytes(StandardCharsets.UTF_8))));
        assertThrows(IOException.class, () -> Hello.parse(new Frame(Frame.STDIN, new byte[0])));
    }
}
