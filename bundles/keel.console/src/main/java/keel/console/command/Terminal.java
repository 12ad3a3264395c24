package keel.console.command;

import java.io.InputStream;

/**
 * The client's terminal and stdin, where the command runs for the {@code keel} client (the Gogo
 * console has none): stdin is relayed only once a command asks for it.
 */
public interface Terminal {

    /** Starts relaying the client's stdin; the stream ends when the client's stdin does. */
    InputStream openStdin();

    /** Puts the client's terminal in raw mode (for {@code -t}), or restores it. */
    void raw(boolean on);

    boolean stdinIsTerminal();

    int rows();

    int cols();
}
