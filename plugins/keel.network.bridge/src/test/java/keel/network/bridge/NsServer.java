package keel.network.bridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import keel.network.bridge.netlink.Netns;

/**
 * A TCP listener inside a network namespace: the socket is opened on a thread that entered the
 * namespace (a socket belongs to the namespace it was made in), then served from the test's JVM.
 * Each connection gets one line, {@code greeting}.
 */
public final class NsServer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    public NsServer(String netnsPath, int port, String greeting) {
        this.server = Netns.run(netnsPath, "listen on " + port, socket -> {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(port));
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        this.acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
                    out.write((greeting + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed
                }
            }
        }, "ns-server-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Connects from the calling thread's namespace and returns the line read, or the failure as text. */
    public static String fetch(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(2000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        acceptor.join(2000);
    }
}
