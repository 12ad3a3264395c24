package keel.console.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import keel.api.cgroup.CgroupStats;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;
import keel.console.command.Table;

/** {@code keel stats}: CPU %, memory, PIDs, block I/O of running containers, live as docker stats. */
public class StatsCommand implements Command {
    private final ContainerService containers;

    public StatsCommand(ContainerService containers) {
        this.containers = containers;
    }

    @Override
    public String name() {
        return "stats";
    }

    @Override
    public String summary() {
        return "Show running containers' resource usage, live (or once with --no-stream)";
    }

    @Override
    public String usage() {
        return "stats [--no-stream] [--format json] [CONTAINER...]";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat(Option.flag("no-stream", (char) 0, "print one sample and exit"));
    }

    /** One row: the container and its usage. */
    record Row(String id, String name, double cpuPercent, long memoryUsage, long memoryLimit, double memoryPercent,
            long pids, long blockRead, long blockWrite) {
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        boolean json = Output.json(args);
        boolean stream = !args.flag("no-stream");
        Map<String, long[]> previous = sample(args);
        Thread.sleep(500);
        while (true) {
            Map<String, long[]> now = sample(args);
            List<Row> rows = rows(previous, now);
            if (json) {
                io.out().println(Output.jsonLine(rows));
            } else {
                if (stream && io.outputIsTerminal()) {
                    io.out().print("\033[2J\033[H");
                }
                Table table = new Table("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS",
                        "BLOCK I/O");
                for (Row r : rows) {
                    table.row(r.id(), r.name(), String.format(Locale.ROOT, "%.2f%%", r.cpuPercent()),
                            ImageCommand.size(r.memoryUsage()) + " / " + (r.memoryLimit() <= 0
                                    || r.memoryLimit() >= Long.MAX_VALUE / 2 ? "unlimited"
                                            : ImageCommand.size(r.memoryLimit())),
                            String.format(Locale.ROOT, "%.2f%%", r.memoryPercent()), Long.toString(r.pids()),
                            ImageCommand.size(r.blockRead()) + " / " + ImageCommand.size(r.blockWrite()));
                }
                table.print(io.out());
            }
            io.out().flush();
            if (!stream || io.awaitCancel(1000)) {
                return stream ? io.cancelledExitCode() : 0;
            }
            previous = now;
        }
    }

    private final Map<String, ContainerInfo> seen = new LinkedHashMap<>();

    /** Per container: cpu ns, sample time ns, then the cgroup counters. */
    private Map<String, long[]> sample(Arguments args) {
        List<ContainerInfo> targets = new ArrayList<>();
        if (args.operands().isEmpty()) {
            targets.addAll(containers.list(false));
        } else {
            for (String c : args.operands()) {
                targets.add(containers.inspect(c));
            }
        }
        Map<String, long[]> sample = new LinkedHashMap<>();
        for (ContainerInfo c : targets) {
            CgroupStats s = containers.stats(c.id());
            seen.put(c.id(), c);
            sample.put(c.id(), new long[] {s.cpuUsageNanos(), System.nanoTime(), s.memoryUsage(), s.memoryLimit(),
                    s.pids(), s.blkioReadBytes(), s.blkioWriteBytes()});
        }
        return sample;
    }

    private List<Row> rows(Map<String, long[]> before, Map<String, long[]> now) {
        List<Row> rows = new ArrayList<>();
        now.forEach((id, n) -> {
            long[] b = before.getOrDefault(id, n);
            long wall = Math.max(1, n[1] - b[1]);
            double cpu = 100.0 * (n[0] - b[0]) / wall;
            double memPercent = n[3] > 0 && n[3] < Long.MAX_VALUE / 2 ? 100.0 * n[2] / n[3] : 0;
            ContainerInfo c = seen.get(id);
            rows.add(new Row(c.shortId(), c.name(), cpu, n[2], n[3], memPercent, n[4], n[5], n[6]));
        });
        return rows;
    }
}
