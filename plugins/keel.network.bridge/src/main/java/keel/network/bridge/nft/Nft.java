package keel.network.bridge.nft;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Runs the {@code nft} program: a script on standard input ({@code nft -f -}) is one transaction,
 * applied whole or not at all; listings come with rule handles ({@code -a}).
 */
public final class Nft {
    private static final long TIMEOUT_SECONDS = 20;
    private final String executable;

    public Nft(String executable) {
        this.executable = executable;
    }

    /** Applies {@code script} atomically; {@code purpose} names what it was for in errors. */
    public void apply(String purpose, String script) {
        Result r = run(script, executable, "-f", "-");
        if (r.status != 0) {
            throw new KeelException(ErrorKind.INTERNAL, "nft could not " + purpose + ": " + r.err.strip()
                    + "\n--- the ruleset it was given ---\n" + script);
        }
    }

    /** {@code nft -a list table FAMILY NAME}, or empty text when there is no such table. */
    public String listTable(String family, String table) {
        Result r = run("", executable, "-a", "list", "table", family, table);
        if (r.status != 0) {
            if (r.err.contains("No such file or directory")) {
                return "";
            }
            throw new KeelException(ErrorKind.INTERNAL, "nft could not list table " + family + " " + table + ": "
                    + r.err.strip());
        }
        return r.out;
    }

    /** The nft version line, or a failure naming what to install. */
    /**
     * Fails, naming the package, unless the nft program is there; runs nothing (the daemon
     * activates this driver at every start, and a process costs tens of milliseconds).
     */
    public void requireInstalled() {
        boolean found = executable.contains("/") ? java.nio.file.Files.isExecutable(java.nio.file.Path.of(executable))
                : java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                        .split(":")).anyMatch(dir -> java.nio.file.Files.isExecutable(
                                java.nio.file.Path.of(dir, executable)));
        if (!found && !java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin", executable))) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "the bridge network driver needs nft (Debian package "
                    + "nftables): no " + executable + " on the PATH");
        }
    }

    public String version() {
        Result r;
        try {
            r = run("", executable, "--version");
        } catch (KeelException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "the bridge network driver needs nft (Debian package "
                    + "nftables): " + e.getMessage(), e);
        }
        if (r.status != 0) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "'" + executable + " --version' failed: " + r.err.strip());
        }
        return r.out.strip();
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String input, String... command) {
        Process process;
        try {
            process = new ProcessBuilder(List.of(command)).start();
        } catch (IOException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "cannot run " + command[0] + ": " + e.getMessage(), e);
        }
        try {
            Drain out = new Drain(process.getInputStream());
            Drain err = new Drain(process.getErrorStream());
            IOException writeFailure = null;
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                writeFailure = e; // it exited without reading all: its status and message say why
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new KeelException(ErrorKind.UNAVAILABLE, String.join(" ", command) + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            Result result = new Result(process.exitValue(), out.text(), err.text());
            if (writeFailure != null && result.status == 0) {
                throw writeFailure;
            }
            return result;
        } catch (IOException e) {
            process.destroyForcibly();
            throw new KeelException(ErrorKind.INTERNAL, "cannot talk to " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorKind.UNAVAILABLE, "interrupted while running " + command[0]);
        }
    }

    /** Reads one output of the process on a thread of its own, so neither pipe can fill and stall it. */
    private static final class Drain extends Thread {
        private final InputStream stream;
        private volatile String text = "";

        Drain(InputStream stream) {
            super("keel-nft-output");
            this.stream = stream;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try (stream) {
                text = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "(unreadable: " + e.getMessage() + ")";
            }
        }

        String text() throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            return text;
        }
    }
}
