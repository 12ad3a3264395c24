package keel.console.commands;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import keel.api.KeelException;
import keel.api.container.ContainerService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel export}: a container's whole root filesystem as a tar, to a file or stdout. */
public class ExportCommand implements Command {
    private final ContainerService containers;

    public ExportCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "Write a container's root filesystem as a tar archive";
    }

    @Override
    public String usage() {
        return "export [-o FILE] CONTAINER";
    }

    @Override
    public List<Option> options() {
        return List.of(Option.value("output", 'o', "FILE", "write to FILE instead of stdout"));
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String container = args.operand(0, "CONTAINER", "keel " + usage());
        if (args.value("output").isEmpty()) {
            if (io.outputIsTerminal()) {
                throw KeelException.invalid("refusing to write a tar to a terminal: use -o FILE or redirect stdout");
            }
            containers.export(container, io.out());
            io.out().flush();
            return 0;
        }
        Path file = io.cwd().resolve(args.value("output").get());
        Path temp = file.resolveSibling("." + file.getFileName() + ".keel-tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            containers.export(container, out);
        } catch (RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return 0;
    }
}
