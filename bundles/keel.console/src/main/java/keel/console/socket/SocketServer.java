package keel.console.socket;

import keel.console.frames.Frame;
import keel.console.frames.FrameChannel;
import keel.console.frames.FrameOutputStream;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import keel.console.command.CommandLine;

/**
 * The daemon's API socket, {@code <run>/keel.sock}: root only (a 0700 directory, a 0600 socket,
 * and the peer's credentials checked on every connection). Each connection is served by its own
 * thread, so one slow command never holds up another.
 */
@Component(immediate = true, service = SocketServer.class)
public class SocketServer {
    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);

    private final CommandLine commandLine;
    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService sessions;
    private final Thread acceptor;
    private final String owner = System.getProperty("user.name");

    @Activate
    public SocketServer(@Reference CommandLine commandLine, BundleContext context, Map<String, Object> config)
            throws IOException {
        this.commandLine = commandLine;
        String run = context.getProperty("keel.run");
        Path runDir = Path.of(run == null || run.isBlank() ? "/run/keel" : run);
        Files.createDirectories(runDir);
        Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx------"));
        this.socket = runDir.resolve("keel.sock");
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        AtomicInteger count = new AtomicInteger();
        this.sessions = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keel-session-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "keel-socket-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("serving the keel CLI on {}", socket);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                if (!allowed(client)) {
                    client.close();
                    continue;
                }
                sessions.execute(new ClientSession(client, commandLine));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("accept failed on {}: {}", socket, e.getMessage());
                }
            }
        }
    }

    /** Only the daemon's own user (root) may use the socket; anyone else gets an error and is closed. */
    private boolean allowed(SocketChannel client) throws IOException {
        UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (peer.user().getName().equals(owner)) {
            return true;
        }
        LOG.warn("refused a connection from user {} on {}", peer.user().getName(), socket);
        FrameChannel frames = new FrameChannel(client);
        frames.write(Frame.STDERR, ("keel: permission denied: the keel daemon serves " + owner + " only\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        frames.write(Frame.EXIT, Frame.intBytes(keel.api.ErrorKind.PERMISSION_DENIED.exitCode()));
        return false;
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
        sessions.shutdownNow();
        LOG.info("stopped serving on {}", socket);
    }
}
