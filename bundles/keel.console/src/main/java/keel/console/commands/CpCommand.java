package keel.console.commands;

import java.io.InputStream;

import keel.api.KeelException;
import keel.api.container.ContainerService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;

/**
 * {@code keel cp}: files and directories between a container (running or not) and the host, as
 * docker cp; {@code -} is a tar stream on stdin or stdout. Paths in the container are resolved
 * inside its root: its symlinks never lead to the host's files.
 */
public class CpCommand implements Command {
    private final ContainerService containers;

    public CpCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "cp";
    }

    @Override
    public String summary() {
        return "Copy files between a container and the host (- is a tar on stdin or stdout)";
    }

    @Override
    public String usage() {
        return "cp CONTAINER:SRC DEST|-  or  cp SRC|- CONTAINER:DEST";
    }

    /** {@code CONTAINER:PATH}; a path starting with / or . is the host's, as docker reads it. */
    record Target(String container, String path) {
        static Target parse(String operand) {
            if (operand.startsWith("/") || operand.startsWith(".") || !operand.contains(":")) {
                return null;
            }
            int colon = operand.indexOf(':');
            String path = operand.substring(colon + 1);
            return new Target(operand.substring(0, colon), path.isEmpty() ? "/" : path);
        }
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String usage = "keel " + usage();
        String source = args.operand(0, "SRC", usage);
        String destination = args.operand(1, "DEST", usage);
        if (args.operands().size() > 2) {
            throw KeelException.invalid("too many operands: %s; usage: %s", args.operands(), usage);
        }
        Target from = Target.parse(source);
        Target to = Target.parse(destination);
        if ((from == null) == (to == null)) {
            throw KeelException.invalid("give exactly one of SRC and DEST as CONTAINER:PATH; usage: %s", usage);
        }
        if (from != null) {
            if (destination.equals("-")) {
                if (io.outputIsTerminal()) {
                    throw KeelException.invalid("refusing to write a tar to a terminal: redirect stdout");
                }
                containers.copyOut(from.container(), from.path(), io.out());
                io.out().flush();
            } else {
                containers.copyOut(from.container(), from.path(), io.cwd().resolve(destination));
            }
            return 0;
        }
        if (source.equals("-")) {
            InputStream stdin = io.terminal().orElseThrow(() -> KeelException.invalid(
                    "cp - needs the client's stdin: run it with the keel client")).openStdin();
            containers.copyIn(stdin, to.container(), to.path());
        } else {
            containers.copyIn(io.cwd().resolve(source), to.container(), to.path());
        }
        return 0;
    }
}
