package keel.console.commands;

import java.util.ArrayList;
import java.util.List;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.ContainerService;
import keel.api.image.ImageService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Output;

/** {@code keel inspect}: containers as JSON (an array, as docker prints it). */
public class InspectCommand implements Command {
    private final ContainerService containers;
    private final ImageService images;

    public InspectCommand(ContainerService containers, ImageService images) {
        this.containers = containers;
        this.images = images;
    }

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "Show containers or images as JSON (a container by that name first, else an image)";
    }

    @Override
    public String usage() {
        return "inspect CONTAINER|IMAGE...";
    }

    private Object inspect(String name) {
        try {
            return containers.inspect(name);
        } catch (KeelException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
            try {
                return images.inspect(name);
            } catch (KeelException notAnImage) {
                throw KeelException.notFound("no such container or image: %s", name);
            }
        }
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        if (args.operands().isEmpty()) {
            throw KeelException.invalid("give at least one container; usage: keel %s", usage());
        }
        List<Object> found = new ArrayList<>();
        int code = 0;
        for (String c : args.operands()) {
            try {
                found.add(inspect(c));
            } catch (KeelException e) {
                io.err().println("keel: " + e.getMessage());
                code = 1;
            }
        }
        Output.printJson(io, found);
        return code;
    }
}
