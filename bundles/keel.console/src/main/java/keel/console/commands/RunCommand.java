package keel.console.commands;

import java.time.Duration;
import java.util.List;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.image.ImageInfo;
import keel.api.image.ImageReference;
import keel.api.image.ImageService;
import keel.api.image.Platform;
import keel.api.image.RegistryAuth;
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
    private final ImageService images;
    private final boolean start;

    public RunCommand(ContainerService containers, ImageService images, boolean start) {
        this.containers = containers;
        this.images = images;
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
        String pull = args.value("pull").orElse("missing");
        if (!List.of("missing", "always", "never").contains(pull)) {
            throw KeelException.invalid("invalid --pull '%s': use missing, always or never", pull);
        }
        if (config.image() != null && (pull.equals("always") || (pull.equals("missing") && absent(config.image())))) {
            pull(config.image(), pull.equals("missing"), io);
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

    private boolean absent(String image) {
        try {
            images.inspect(image);
            return false;
        } catch (KeelException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
            return isReference(image);
        }
    }

    /** An image id (prefix) is not something to pull; a reference (with or without tag or digest) is. */
    private static boolean isReference(String image) {
        if (image.matches("(sha256:)?[0-9a-f]{12,64}")) {
            return false;
        }
        ImageReference.parse(image); // a malformed one fails here, naming it
        return true;
    }

    /** Pulls as docker run does: progress and the outcome on stderr, so stdout is the container's. */
    private void pull(String image, boolean missing, Invocation io) {
        String familiar = ImageReference.parse(image).familiar();
        if (missing) {
            io.err().println("Unable to find image '" + familiar + "' locally");
        }
        PullDisplay display = new PullDisplay(io.err(), false);
        ImageInfo info = images.pull(image, Platform.LINUX_AMD64, RegistryAuth.ANONYMOUS, display);
        display.finish();
        io.err().println("Digest: " + info.manifest().digest());
        io.err().println("Status: pulled " + familiar);
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
