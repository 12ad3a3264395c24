package keel.console.socket;

/** One message of the client protocol (launcher/PROTOCOL.md): a type letter and a payload. */
record Frame(byte type, byte[] payload) {
    static final int MAX_PAYLOAD = 1 << 20;

    // client to daemon
    static final byte HELLO = 'H';
    static final byte STDIN = 'I';
    static final byte STDIN_CLOSED = 'C';
    static final byte SIGNAL = 'S';
    static final byte WINDOW = 'W';
    // daemon to client
    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte OPEN_STDIN = 'N';
    static final byte RAW_MODE = 'R';
    static final byte EXIT = 'X';

    int intPayload() {
        return ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                | (payload[3] & 0xff);
    }

    static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
