package keel.console.commands;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import keel.api.KeelException;
import keel.api.image.ImageReference;
import keel.api.space.DiskUsage;
import keel.api.space.PruneReport;
import keel.api.space.SpaceService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/**
 * {@code keel system df|prune}, {@code keel image prune} and {@code keel container prune}: disk
 * space and what frees it. Prunes ask for confirmation unless {@code -f}.
 */
public class SpaceCommand implements Command {
    private static final Option ALL = Option.flag("all", 'a', "images: every image no container uses, not only dangling ones");
    private static final Option FORCE = Option.flag("force", 'f', "do not ask for confirmation");
    private static final Option VERBOSE = Option.flag("verbose", 'v', "df: a line per image and container");
    private static final Option FORMAT = Option.value("format", (char) 0, "FORMAT", "df: table (default) or json");
    private static final Option VOLUMES = Option.flag("volumes", (char) 0,
            "system prune: also the anonymous volumes no container mounts (with -a: every such volume)");

    private final SpaceService space;
    private final String name;

    public SpaceCommand(SpaceService space, String name) {
        this.space = space;
        this.name = name;
    }

    public static List<Command> all(SpaceService space) {
        return List.of("system", "image", "container").stream().map(n -> (Command) new SpaceCommand(space, n)).toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return switch (name) {
            case "system" -> "Disk space: df [-v] shows what images and containers use, prune [-a] [-f] frees it";
            case "image" -> "prune [-a] [-f]: remove dangling (with -a: all unused) images and their content";
            default -> "prune [-f]: remove every stopped container";
        };
    }

    @Override
    public String usage() {
        return switch (name) {
            case "system" -> "system df [-v] [--format json] | system prune [-a] [-f] [--volumes]";
            case "image" -> "image prune [-a] [-f]";
            default -> "container prune [-f]";
        };
    }

    @Override
    public List<Option> options() {
        return switch (name) {
            case "system" -> List.of(ALL, FORCE, VERBOSE, FORMAT, VOLUMES);
            case "image" -> List.of(ALL, FORCE);
            default -> List.of(FORCE);
        };
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String sub = args.operand(0, "a subcommand", "keel " + usage());
        if (args.operands().size() > 1) {
            throw KeelException.invalid("'keel %s %s' takes no arguments, got '%s'; usage: keel %s", name, sub,
                    args.operands().get(1), usage());
        }
        if (name.equals("system") && sub.equals("df")) {
            only(args, sub, VERBOSE, FORMAT);
            df(args, io);
            return 0;
        }
        if (!sub.equals("prune")) {
            throw KeelException.invalid("unknown subcommand '%s' of 'keel %s'; usage: keel %s", sub, name, usage());
        }
        if (name.equals("system")) {
            only(args, sub, ALL, FORCE, VOLUMES);
        }
        boolean all = args.flag(ALL.name());
        boolean withVolumes = args.flag(VOLUMES.name());
        if (!args.flag(FORCE.name()) && !confirmed(warning(all, withVolumes), io)) {
            return 0;
        }
        switch (name) {
            case "container" -> {
                PruneReport containers = space.pruneContainers();
                print("Deleted Containers:", containers, io);
                total(containers, io);
            }
            case "image" -> {
                PruneReport images = space.pruneImages(all);
                print("Deleted Images:", images, io);
                total(images, io);
            }
            default -> {
                PruneReport containers = space.pruneContainers();
                PruneReport volumes = withVolumes ? space.pruneVolumes(all) : PruneReport.NOTHING;
                PruneReport images = space.pruneImages(all);
                print("Deleted Containers:", containers, io);
                print("Deleted Volumes:", volumes, io);
                print("Deleted Images:", images, io);
                total(containers.plus(volumes).plus(images), io);
            }
        }
        return 0;
    }

    /** Refuses the options that do not apply to {@code sub}. */
    private void only(Arguments args, String sub, Option... allowed) {
        for (Option o : options()) {
            if (args.flag(o.name()) && !List.of(allowed).contains(o)) {
                throw KeelException.invalid("--%s does not apply to 'keel %s %s'; usage: keel %s", o.name(), name, sub,
                        usage());
            }
        }
    }

    private String warning(boolean all, boolean withVolumes) {
        String images = all ? "  - all images without at least one container associated to them"
                : "  - all dangling images";
        return "WARNING! This will remove:\n" + switch (name) {
            case "container" -> "  - all stopped containers";
            case "image" -> images;
            default -> "  - all stopped containers\n" + (withVolumes ? all ? "  - all volumes not used by at least one "
                    + "container\n" : "  - all anonymous volumes not used by at least one container\n" : "") + images;
        } + "\n  - and the blobs and layers no image or container uses\n";
    }

    /** Asks on the client's terminal; without one (the Gogo console) only -f will do. */
    private static boolean confirmed(String warning, Invocation io) throws Exception {
        var terminal = io.terminal().orElseThrow(() -> KeelException.invalid(
                "there is no terminal to ask for confirmation: add -f"));
        io.out().print(warning + "Are you sure you want to continue? [y/N] ");
        io.out().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(terminal.openStdin(), StandardCharsets.UTF_8));
        String answer = in.readLine();
        return answer != null && List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT));
    }

    private static void print(String heading, PruneReport report, Invocation io) {
        if (!report.deleted().isEmpty()) {
            io.out().println(heading);
            report.deleted().forEach(io.out()::println);
            io.out().println();
        }
    }

    private static void total(PruneReport report, Invocation io) {
        io.out().println("Total reclaimed space: " + ImageCommand.size(report.reclaimed()));
    }

    private void df(Arguments args, Invocation io) throws Exception {
        boolean json = Output.json(args);
        DiskUsage usage = space.usage();
        if (json) {
            Output.printJson(io, usage);
            return;
        }
        if (!args.flag(VERBOSE.name())) {
            Table table = new Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
            summary(table, "Images", usage.images());
            summary(table, "Containers", usage.containers());
            summary(table, "Local Volumes", usage.volumes());
            summary(table, "Build Cache", usage.buildCache());
            table.print(io.out());
            return;
        }
        Instant now = Instant.now();
        io.out().println("Images space usage:");
        io.out().println();
        Table images = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE",
                "CONTAINERS");
        for (DiskUsage.ImageUsage i : usage.imageRows()) {
            String created = i.created() == null ? "" : PsCommand.ago(i.created(), now) + " ago";
            String id = i.id().substring(i.id().indexOf(':') + 1, i.id().indexOf(':') + 13);
            List<String> names = i.names().isEmpty() ? List.of("<none>") : i.names();
            for (String n : names) {
                String repo = n.equals("<none>") ? n : repository(n);
                String tag = n.equals("<none>") ? n : n.substring(n.lastIndexOf(':') + 1);
                images.row(repo, tag, id, created, ImageCommand.size(i.size()), ImageCommand.size(i.sharedSize()),
                        ImageCommand.size(i.uniqueSize()), Integer.toString(i.containers()));
            }
        }
        images.print(io.out());
        io.out().println();
        io.out().println("Containers space usage:");
        io.out().println();
        Table containers = new Table("CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS",
                "NAMES");
        for (DiskUsage.ContainerUsage c : usage.containerRows()) {
            String command = String.join(" ", c.command());
            containers.row(c.id().substring(0, 12), c.image() == null ? "" : c.image(),
                    "\"" + (command.length() > 20 ? command.substring(0, 19) + "…" : command) + "\"", "0",
                    ImageCommand.size(c.size()), PsCommand.ago(c.created(), now) + " ago", c.status(), c.name());
        }
        containers.print(io.out());
        io.out().println();
        io.out().println("Local Volumes space usage:");
        io.out().println();
        new Table("VOLUME NAME", "LINKS", "SIZE").print(io.out());
        io.out().println();
        io.out().println("Build cache usage: 0B");
    }

    private static void summary(Table table, String type, DiskUsage.Summary s) {
        String reclaimable = ImageCommand.size(s.reclaimable());
        if (s.size() > 0) {
            reclaimable += " (" + (s.reclaimable() * 100 / s.size()) + "%)";
        }
        table.row(type, Integer.toString(s.total()), Integer.toString(s.active()), ImageCommand.size(s.size()),
                reclaimable);
    }

    private static String repository(String name) {
        ImageReference ref = ImageReference.parse(name);
        String familiar = new ImageReference(ref.registry(), ref.repository(), "x", null).familiar();
        return familiar.substring(0, familiar.length() - 2);
    }
}
