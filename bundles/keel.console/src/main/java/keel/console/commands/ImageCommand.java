package keel.console.commands;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import keel.api.KeelException;
import keel.api.image.ImageConfig;
import keel.api.image.ImageInfo;
import keel.api.image.ImageReference;
import keel.api.image.ImageService;
import keel.api.image.Platform;
import keel.api.image.RegistryAuth;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel images|import|tag|rmi|load|save|pull|history}: the image commands. */
public class ImageCommand implements Command {
    private final ImageService images;
    private final String name;

    public ImageCommand(ImageService images, String name) {
        this.images = images;
        this.name = name;
    }

    public static List<Command> all(ImageService images) {
        return List.of("images", "import", "tag", "rmi", "load", "save", "pull", "history").stream()
                .map(n -> (Command) new ImageCommand(images, n)).toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return switch (name) {
            case "images" -> "List images";
            case "import" -> "Make a one-layer image from a root filesystem tar (optionally gzipped)";
            case "tag" -> "Give an image another name";
            case "rmi" -> "Remove images (refused while a container uses them, unless -f)";
            case "load" -> "Load images from an OCI layout, OCI archive or docker archive";
            case "save" -> "Save images to an OCI archive or a docker archive";
            case "pull" -> "Pull an image from a registry";
            default -> "Show an image's history";
        };
    }

    @Override
    public String usage() {
        return switch (name) {
            case "images" -> "images [--digests] [-q] [--format json]";
            case "import" -> "import FILE NAME[:TAG]";
            case "tag" -> "tag SOURCE TARGET";
            case "rmi" -> "rmi [-f] IMAGE...";
            case "load" -> "load -i FILE";
            case "save" -> "save -o FILE [--format oci-archive|docker-archive] IMAGE...";
            case "pull" -> "pull [--platform OS/ARCH] [--insecure-registry] NAME[:TAG|@DIGEST]";
            default -> "history IMAGE";
        };
    }

    @Override
    public List<Option> options() {
        return switch (name) {
            case "images" -> Output.withFormat(Option.flag("digests", (char) 0, "show the manifest digests"),
                    Option.flag("quiet", 'q', "only ids"));
            case "rmi" -> List.of(Option.flag("force", 'f', "remove even if containers use it"));
            case "load" -> List.of(Option.value("input", 'i', "FILE", "the archive or layout to load"));
            case "save" -> List.of(Option.value("output", 'o', "FILE", "where to write"),
                    Option.value("format", (char) 0, "FORMAT", "oci-archive (default) or docker-archive"));
            case "pull" -> List.of(Option.value("platform", (char) 0, "OS/ARCH", "default linux/amd64"),
                    Option.flag("insecure-registry", (char) 0, "allow plain HTTP to this registry"));
            default -> List.of();
        };
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        List<String> ops = args.operands();
        switch (name) {
            case "images" -> listImages(args, io);
            case "import" -> {
                Path file = io.cwd().resolve(args.operand(0, "FILE", "keel " + usage()));
                ImageInfo info = images.importRootfs(file, args.operand(1, "NAME", "keel " + usage()));
                io.out().println(info.id());
            }
            case "tag" -> images.tag(args.operand(0, "SOURCE", "keel " + usage()),
                    args.operand(1, "TARGET", "keel " + usage()));
            case "rmi" -> {
                return ContainerCommands.each(ops, io, usage(),
                        i -> images.remove(i, args.flag("force")).forEach(io.out()::println));
            }
            case "load" -> {
                Path file = io.cwd().resolve(args.value("input").orElseThrow(
                        () -> KeelException.invalid("give the file with -i FILE; usage: keel %s", usage())));
                for (ImageInfo info : images.load(file, Platform.LINUX_AMD64)) {
                    io.out().println("Loaded image: " + (info.names().isEmpty() ? info.id().toString()
                            : ImageReference.parse(info.names().get(0)).familiar()));
                }
            }
            case "save" -> save(args, io);
            case "pull" -> pull(args, io);
            default -> history(args, io);
        }
        return 0;
    }

    private void listImages(Arguments args, Invocation io) throws Exception {
        List<ImageInfo> list = images.list();
        if (Output.json(args)) {
            Output.printJson(io, list);
            return;
        }
        if (args.flag("quiet")) {
            list.forEach(i -> io.out().println(i.shortId()));
            return;
        }
        boolean digests = args.flag("digests");
        Table table = digests ? new Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        Instant now = Instant.now();
        for (ImageInfo i : list) {
            List<String> names = i.names().isEmpty() ? List.of("<none>:<none>") : i.names();
            for (String n : names) {
                String repo = n.equals("<none>:<none>") ? "<none>" : familiarRepository(n);
                String tag = n.equals("<none>:<none>") ? "<none>" : n.substring(n.lastIndexOf(':') + 1);
                String created = i.created() == null ? "" : PsCommand.ago(i.created(), now) + " ago";
                if (digests) {
                    table.row(repo, tag, i.manifest().digest().toString(), i.shortId(), created, size(i.size()));
                } else {
                    table.row(repo, tag, i.shortId(), created, size(i.size()));
                }
            }
        }
        table.print(io.out());
    }

    private static String familiarRepository(String name) {
        ImageReference ref = ImageReference.parse(name);
        String familiar = new ImageReference(ref.registry(), ref.repository(), "x", null).familiar();
        return familiar.substring(0, familiar.length() - 2);
    }

    private void save(Arguments args, Invocation io) throws Exception {
        String format = args.value("format").orElse("oci-archive");
        if (!format.equals("oci-archive") && !format.equals("docker-archive")) {
            throw KeelException.invalid("unknown --format %s: use oci-archive or docker-archive", format);
        }
        Path file = io.cwd().resolve(args.value("output").orElseThrow(
                () -> KeelException.invalid("give the file with -o FILE; usage: keel %s", usage())));
        if (args.operands().isEmpty()) {
            throw KeelException.invalid("give at least one image; usage: keel %s", usage());
        }
        Path temp = file.resolveSibling("." + file.getFileName() + ".keel-tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            images.save(args.operands(), format, out);
        } catch (RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void pull(Arguments args, Invocation io) {
        String ref = args.operand(0, "NAME", "keel " + usage());
        String[] p = args.value("platform").orElse("linux/amd64").split("/");
        Platform platform = new Platform(p[0], p.length > 1 ? p[1] : "amd64", p.length > 2 ? p[2] : null);
        RegistryAuth auth = new RegistryAuth(null, null, args.flag("insecure-registry"));
        PullDisplay display = new PullDisplay(io);
        ImageInfo info = images.pull(ref, platform, auth, display);
        display.finish();
        io.out().println("Digest: " + info.manifest().digest());
        io.out().println("Status: pulled " + ImageReference.parse(ref).familiar());
    }

    private void history(Arguments args, Invocation io) {
        ImageInfo info = images.inspect(args.operand(0, "IMAGE", "keel " + usage()));
        Table table = new Table("CREATED", "CREATED BY", "COMMENT");
        List<ImageConfig.History> history = info.config().history();
        Instant now = Instant.now();
        for (int i = history.size() - 1; i >= 0; i--) {
            ImageConfig.History h = history.get(i);
            table.row(h.created() == null ? "" : PsCommand.ago(h.created(), now) + " ago",
                    h.createdBy() == null ? "" : h.createdBy(), h.comment() == null ? "" : h.comment());
        }
        table.print(io.out());
    }

    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        double kb = bytes / 1000.0;
        if (kb < 1000) {
            return String.format(Locale.ROOT, "%.1fkB", kb);
        }
        double mb = kb / 1000.0;
        return mb < 1000 ? String.format(Locale.ROOT, "%.1fMB", mb) : String.format(Locale.ROOT, "%.2fGB", mb / 1000);
    }
}
