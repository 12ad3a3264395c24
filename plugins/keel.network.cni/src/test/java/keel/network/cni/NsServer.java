package keel.network.cni;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A TCP server inside a network namespace: busybox nc (persistent, -ll) answering each connection
 * with one line, started with {@code ip netns exec} (which execs it: the process is the server) and
 * killed by its pid at the end.
 */
final class NsServer implements AutoCloseable {
    private final Process process;

    NsServer(String ns, int port, String greeting) throws Exception {
        this.process = new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "nc", "-ll", "-p", Integer.toString(port),
                "-e", "echo", greeting).redirectInput(new File("/dev/null")).redirectOutput(new File("/dev/null"))
                .redirectError(new File("/dev/null")).start();
        String listening = String.format(Locale.ROOT, ":%04X 00000000:0000 0A", port);
        for (int i = 0; i < 100 && !Sh.inNetns(ns, "cat", "/proc/net/tcp").out().contains(listening); i++) {
            Thread.sleep(50);
        }
    }

    /** Connects from the host and returns the line read, or the failure as text. */
    static String fetch(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(3000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
    }
}
