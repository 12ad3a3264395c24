package keel.console.socket;

import keel.console.frames.Frame;
import keel.console.frames.FrameChannel;
import keel.console.frames.FrameOutputStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's first frame: protocol, working directory, terminal facts and the arguments.
 */
record Hello(String protocol, String cwd, boolean stdinTty, boolean stdoutTty, int rows, int cols,
        List<String> args) {
    static final String PROTOCOL = "keel/1";

    static Hello parse(Frame frame) throws IOException {
        if (frame == null || frame.type() != Frame.HELLO) {
            throw new IOException("protocol error: the first frame must be a hello");
        }
        List<String> fields = new ArrayList<>();
        byte[] p = frame.payload();
        int start = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) {
                fields.add(new String(p, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (fields.size() < 6 || !fields.get(0).equals(PROTOCOL)) {
            throw new IOException("protocol error: expected a " + PROTOCOL + " hello, got "
                    + (fields.isEmpty() ? "nothing" : fields.get(0)));
        }
        try {
            return new Hello(fields.get(0), fields.get(1), fields.get(2).equals("1"), fields.get(3).equals("1"),
                    Integer.parseInt(fields.get(4)), Integer.parseInt(fields.get(5)),
                    fields.subList(6, fields.size()));
        } catch (NumberFormatException e) {
            throw new IOException("protocol error: bad terminal size in hello", e);
        }
    }
}
