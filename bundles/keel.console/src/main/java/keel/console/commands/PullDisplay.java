package keel.console.commands;

import java.util.LinkedHashMap;
import java.util.Map;

import keel.api.image.Digest;
import keel.api.image.PullProgress;
import keel.console.command.Invocation;

/**
 * A pull's progress, one line per blob as docker shows it: redrawn in place on a terminal, a line
 * per change of status otherwise.
 */
final class PullDisplay implements PullProgress {
    private final java.io.PrintStream out;
    private final boolean terminal;
    private final Map<String, String> lines = new LinkedHashMap<>();
    private int drawn;
    private long lastDraw;

    PullDisplay(Invocation io) {
        this(io.out(), io.outputIsTerminal());
    }

    /** A display on {@code out} ({@code keel run} shows a pull on stderr, as docker does). */
    PullDisplay(java.io.PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void update(Digest blob, String status, long done, long total) {
        String id = blob.hex().substring(0, 12);
        String line = id + ": " + status + (total > 0 && status.equals("downloading")
                ? String.format(" %s/%s", ImageCommand.size(done), ImageCommand.size(total)) : "");
        String before = lines.put(id, line);
        if (!terminal) {
            if (before == null || !before.startsWith(id + ": " + status)) {
                out.println(line);
                out.flush();
            }
            return;
        }
        long now = System.nanoTime();
        if (status.equals("downloading") && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        redraw();
    }

    private void redraw() {
        StringBuilder text = new StringBuilder();
        if (drawn > 0) {
            text.append("\033[").append(drawn).append('A');
        }
        for (String line : lines.values()) {
            text.append("\r\033[2K").append(line).append('\n');
        }
        drawn = lines.size();
        out.print(text);
        out.flush();
    }

    synchronized void finish() {
        if (terminal) {
            redraw();
        }
    }
}
