package keel.console.commands;

import java.util.List;

import keel.api.KeelException;
import keel.api.container.CommitRequest;
import keel.api.container.ContainerService;
import keel.api.image.ImageInfo;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel commit}: a new image from a container's changes, as docker commit makes it. */
public class CommitCommand implements Command {
    private final ContainerService containers;

    public CommitCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "commit";
    }

    @Override
    public String summary() {
        return "Make an image from a container's changes";
    }

    @Override
    public String usage() {
        return "commit [-m MESSAGE] [-a AUTHOR] [-c INSTRUCTION]... [--pause=false] CONTAINER NAME[:TAG]";
    }

    @Override
    public List<Option> options() {
        return List.of(Option.value("message", 'm', "MESSAGE", "the commit message (the history entry's comment)"),
                Option.value("author", 'a', "AUTHOR", "the image's author, e.g. \"Name <mail>\""),
                Option.value("change", 'c', "INSTRUCTION",
                        "apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR"),
                Option.value("pause", 'p', "BOOL", "freeze a running container while committing (default true)"));
    }

    @Override
    public int run(Arguments args, Invocation io) {
        String container = args.operand(0, "CONTAINER", "keel " + usage());
        String name = args.operand(1, "NAME[:TAG]", "keel " + usage());
        if (args.operands().size() > 2) {
            throw KeelException.invalid("too many operands: %s; usage: keel %s", args.operands(), usage());
        }
        String pause = args.value("pause").orElse("true");
        if (!pause.equals("true") && !pause.equals("false")) {
            throw KeelException.invalid("--pause takes true or false, not '%s'", pause);
        }
        ImageInfo image = containers.commit(container, new CommitRequest(name, args.value("message").orElse(null),
                args.value("author").orElse(null), args.all("change"), pause.equals("true")));
        io.out().println(image.id());
        return 0;
    }
}
