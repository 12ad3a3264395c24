package keel.console.commands;

import java.time.Instant;
import java.util.List;

import keel.api.container.ContainerService;
import keel.api.container.LogEntry;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/** {@code keel logs}: a container's json-file log, as docker logs shows it. */
public class LogsCommand implements Command {
    private final ContainerService containers;

    public LogsCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String summary() {
        return "Show a container's output (stdout to stdout, stderr to stderr)";
    }

    @Override
    public String usage() {
        return "logs [-f] [--tail N] [-t] [--since TIME] CONTAINER";
    }

    @Override
    public List<Option> options() {
        return List.of(Option.flag("follow", 'f', "keep following the output until the container stops"),
                Option.value("tail", 'n', "N", "only the last N lines (default all)"),
                Option.flag("timestamps", 't', "prefix each line with its time"),
                Option.value("since", (char) 0, "TIME", "only lines since TIME (RFC 3339, unix seconds, or 10m)"));
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        String container = args.operand(0, "CONTAINER", "keel " + usage());
        String tailText = args.value("tail").orElse("all");
        int tail = tailText.equals("all") ? -1 : (int) RunOptions.number(tailText, "--tail");
        Instant since = args.value("since").map(t -> EventsCommand.time(t, Instant.now(), "--since")).orElse(null);
        boolean timestamps = args.flag("timestamps");
        containers.logs(container, tail, args.flag("follow"), () -> !io.isCancelled(), (LogEntry e) -> {
            if (since != null && e.time().isBefore(since)) {
                return;
            }
            var stream = e.stream().equals("stderr") ? io.err() : io.out();
            stream.print(timestamps ? e.time() + " " + e.text() : e.text());
            stream.flush();
        });
        return 0;
    }
}
