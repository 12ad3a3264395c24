package keel.console.commands;

import java.time.Duration;
import java.time.Instant;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;

/**
 * {@code keel daemon stop|status}. ({@code keel daemon} itself, which starts the daemon in the
 * foreground, is done by the client, which runs {@code keel-daemon}.)
 */
public class DaemonCommand implements Command {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonCommand.class);
    private final BundleContext context;

    public DaemonCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return "daemon";
    }

    @Override
    public String summary() {
        return "Run the daemon in the foreground (keel daemon), or stop it or show its status";
    }

    @Override
    public String usage() {
        return "daemon [--root DIR] [--run DIR] [--no-console] | daemon stop | daemon status";
    }

    @Override
    public java.util.List<keel.console.command.Option> options() {
        return java.util.List.of(
                keel.console.command.Option.value("root", (char) 0, "DIR", "state root (default /var/lib/keel)"),
                keel.console.command.Option.value("run", (char) 0, "DIR", "runtime directory (default /run/keel)"),
                keel.console.command.Option.flag("no-console", (char) 0, "no interactive console"));
    }

    @Override
    public int run(Arguments args, Invocation io) {
        String sub = args.operands().isEmpty() ? "" : args.operands().get(0);
        ProcessHandle self = ProcessHandle.current();
        switch (sub) {
            case "stop" -> {
                io.out().println("stopping the keel daemon (pid " + self.pid() + ")");
                Thread stopper = new Thread(() -> {
                    try {
                        context.getBundle(0).stop();
                    } catch (BundleException e) {
                        LOG.error("cannot stop the framework", e);
                    }
                }, "keel-daemon-stop");
                stopper.start();
                return 0;
            }
            case "status" -> {
                Duration up = self.info().startInstant().map(s -> Duration.between(s, Instant.now()))
                        .orElse(Duration.ZERO);
                io.out().println("running: pid " + self.pid() + ", up " + up.toSeconds() + " s");
                io.out().println("root: " + context.getProperty("keel.root"));
                io.out().println("run:  " + context.getProperty("keel.run"));
                return 0;
            }
            case "" -> throw KeelException.conflict("a keel daemon already runs here (pid %d); "
                    + "'keel daemon stop' stops it", self.pid());
            default -> throw KeelException.invalid("unknown subcommand '%s' of 'keel daemon': use stop or status",
                    sub);
        }
    }
}
