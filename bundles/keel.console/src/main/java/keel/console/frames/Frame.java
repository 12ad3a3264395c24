package keel.console.frames;

/** One message of the client protocol (launcher/PROTOCOL.md): a type letter and a payload. */
public record Frame(byte type, byte[] payload) {
    public static final int MAX_PAYLOAD = 1 << 20;

    // client to daemon
    public static final byte HELLO = 'H';
    public static final byte STDIN = 'I';
    public static final byte STDIN_CLOSED = 'C';
    public static final byte SIGNAL = 'S';
    public static final byte WINDOW = 'W';
    // daemon to client
    public static final byte STDOUT = 'O';
    public static final byte STDERR = 'E';
    public static final byte OPEN_STDIN = 'N';
    public static final byte RAW_MODE = 'R';
    public static final byte EXIT = 'X';

    public int intPayload() {
        return ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                | (payload[3] & 0xff);
    }

    public static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
