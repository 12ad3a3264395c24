package keel.console.commands;

import java.time.Duration;
import java.util.List;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/**
 * {@code keel run} (create, start, attach, wait) and {@code keel create}: one class, since they take
 * the same options.
 */
public class RunCommand implements Command {
    private static final int SIGINT = 2;
    private static final int SIGKILL = 9;

    private final ContainerService containers;
    private final boolean start;

    public RunCommand(ContainerService containers, boolean start) {
        this.containers = containers;
        this.start = start;
    }

    @Override
    public String name() {
        return start ? "run" : "create";
    }

    @Override
    public String summary() {
        return start ? "Run a command in a new container" : "Create a container without starting it";
    }

    @Override
    public String usage() {
        return name() + " [OPTIONS] (--rootfs DIR | IMAGE) [COMMAND [ARG...]]";
    }

    @Override
    public List<Option> options() {
        return RunOptions.OPTIONS;
    }

    @Override
    public boolean optionsStopAtFirstOperand() {
        return true;
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        ContainerConfig config = RunOptions.config(args, io.cwd());
        if (args.flag("detach") && !start) {
            throw KeelException.invalid("--detach applies to keel run only");
        }
        ContainerInfo created = containers.create(config);
        if (!start) {
            io.out().println(created.id());
            return 0;
        }
        try {
            if (args.flag("detach")) {
                containers.start(created.id(), null);
                io.out().println(created.id());
                return 0;
            }
            return runAttached(containers, created, io);
        } catch (KeelException e) {
            if (config.autoRemove()) {
                try {
                    containers.remove(created.id(), true); // --rm: a run that could not start leaves nothing
                } catch (KeelException alreadyGone) {
                    // removed by the kernel when it ended
                }
            }
            throw e;
        }
    }

    /**
     * Starts the container attached to the client and returns its exit code. The client's Ctrl-C is
     * forwarded to the container; a second one kills it.
     */
    static int runAttached(ContainerService containers, ContainerInfo container, Invocation io) throws Exception {
        ContainerConfig config = container.config();
        try (AttachRelay relay = new AttachRelay(io, config.tty(), config.openStdin())) {
            int[] interrupts = {0};
            io.onSignal(signal -> {
                try {
                    if (signal == SIGINT && ++interrupts[0] > 1) {
                        containers.kill(container.id(), Integer.toString(SIGKILL));
                    } else {
                        containers.kill(container.id(), Integer.toString(signal));
                    }
                } catch (KeelException e) {
                    // it has ended meanwhile
                }
            });
            containers.start(container.id(), relay);
            int code = relay.awaitExit();
            int status;
            try {
                status = containers.await(container.id(), Duration.ofSeconds(30)).code();
            } catch (KeelException e) {
                if (code < 0 || e.kind() != ErrorKind.NOT_FOUND) {
                    throw e;
                }
                return code;           // --rm: the kernel learnt the end first and has removed it already
            }
            return code >= 0 ? code : status;
        }
    }
}
