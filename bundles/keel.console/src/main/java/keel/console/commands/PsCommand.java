package keel.console.commands;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.container.ContainerState;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel ps}: the containers, as docker ps lists them. */
public class PsCommand implements Command {
    private final ContainerService containers;

    public PsCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String summary() {
        return "List containers (running ones, or all with -a)";
    }

    @Override
    public String usage() {
        return "ps [-a] [-q] [--no-trunc] [--format json]";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat(Option.flag("all", 'a', "also stopped and created containers"),
                Option.flag("quiet", 'q', "only ids"), Option.flag("no-trunc", (char) 0, "full ids and commands"));
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        List<ContainerInfo> list = containers.list(args.flag("all"));
        if (Output.json(args)) {
            Output.printJson(io, list);
            return 0;
        }
        boolean full = args.flag("no-trunc");
        if (args.flag("quiet")) {
            list.forEach(c -> io.out().println(full ? c.id() : c.shortId()));
            return 0;
        }
        Table table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES");
        Instant now = Instant.now();
        for (ContainerInfo c : list) {
            String command = String.join(" ", c.command());
            if (!full && command.length() > 22) {
                command = command.substring(0, 20) + "…";
            }
            table.row(full ? c.id() : c.shortId(), c.config().image() != null ? c.config().image() : "--rootfs",
                    "\"" + command + "\"", ago(c.created(), now) + " ago", status(c.state(), now), c.name());
        }
        table.print(io.out());
        return 0;
    }

    static String status(ContainerState s, Instant now) {
        return switch (s.status()) {
            case RUNNING -> "Up " + ago(s.startedAt(), now);
            case PAUSED -> "Up " + ago(s.startedAt(), now) + " (Paused)";
            case STOPPED -> "Exited (" + s.exitCode() + ") " + (s.finishedAt() == null ? "" : ago(s.finishedAt(), now)
                    + " ago");
            case CREATED -> s.error().isEmpty() ? "Created" : "Created (failed to start)";
            case REMOVED -> "Removed";
        };
    }

    static String ago(Instant then, Instant now) {
        if (then == null) {
            return "";
        }
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        if (s < 60) {
            return s + (s == 1 ? " second" : " seconds");
        }
        if (s < 3600) {
            return s / 60 + (s / 60 == 1 ? " minute" : " minutes");
        }
        if (s < 86400) {
            return s / 3600 + (s / 3600 == 1 ? " hour" : " hours");
        }
        return s / 86400 + (s / 86400 == 1 ? " day" : " days");
    }
}
