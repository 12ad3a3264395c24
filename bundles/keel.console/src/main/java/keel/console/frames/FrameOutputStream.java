package keel.console.frames;

import java.io.IOException;
import java.io.OutputStream;

/** An output stream that sends what is written as frames of one type (stdout or stderr). */
public final class FrameOutputStream extends OutputStream {
    private final FrameChannel channel;
    private final byte type;

    public FrameOutputStream(FrameChannel channel, byte type) {
        this.channel = channel;
        this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int chunk = Math.min(length, Frame.MAX_PAYLOAD);
            channel.write(type, bytes, offset, chunk);
            offset += chunk;
            length -= chunk;
        }
    }
}
