package keel.console.commands;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import keel.api.KeelException;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;
import keel.console.command.Output;

/** {@code keel events}: the kernel's event stream, live, as {@code docker events} shows it. */
public class EventsCommand implements Command {
    private static final Option SINCE = Option.value("since", (char) 0, "TIME",
            "also show buffered events since TIME (RFC 3339, unix seconds, or a duration such as 10m)");
    private static final Option UNTIL = Option.value("until", (char) 0, "TIME", "stop at TIME (same forms)");
    private static final Option FILTER = Option.value("filter", (char) 0, "K=V[,K=V]",
            "only events whose type, action or actor match");

    private final EventService events;

    public EventsCommand(EventService events) {
        this.events = events;
    }

    @Override
    public String name() {
        return "events";
    }

    @Override
    public String summary() {
        return "Stream the daemon's events (containers, images, drivers) until interrupted";
    }

    @Override
    public String usage() {
        return "events [--since TIME] [--until TIME] [--filter type=driver,action=bind] [--format json]";
    }

    @Override
    public List<Option> options() {
        return Output.withFormat(SINCE, UNTIL, FILTER);
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        boolean json = Output.json(args);
        Predicate<Event> filter = filter(args.value(FILTER.name()).orElse(""));
        Instant now = Instant.now();
        Instant until = args.value(UNTIL.name()).map(t -> time(t, now, "--until")).orElse(null);
        Object lock = new Object();
        try (AutoCloseable subscription = events.subscribe(e -> {
            if (filter.test(e) && (until == null || !e.time().isAfter(until))) {
                synchronized (lock) {
                    print(io, e, json);
                }
            }
        })) {
            if (args.value(SINCE.name()).isPresent()) {
                Instant since = time(args.value(SINCE.name()).get(), now, "--since");
                synchronized (lock) {
                    for (Event e : events.since(since)) {
                        if (e.time().isBefore(now) && filter.test(e) && (until == null || !e.time().isAfter(until))) {
                            print(io, e, json);
                        }
                    }
                }
            }
            while (!io.isCancelled()) {
                if (until != null && !Instant.now().isBefore(until)) {
                    return 0;
                }
                io.awaitCancel(until == null ? 1000 : Math.max(1, Duration.between(Instant.now(), until).toMillis()));
            }
        }
        return io.cancelledExitCode();
    }

    private static void print(Invocation io, Event e, boolean json) {
        try {
            if (json) {
                io.out().println(Output.jsonLine(e));
            } else {
                StringBuilder line = new StringBuilder().append(e.time()).append(' ').append(e.type()).append(' ')
                        .append(e.action()).append(' ').append(e.actor());
                if (!e.attributes().isEmpty()) {
                    line.append(" (");
                    e.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .forEach(a -> line.append(a.getKey()).append('=').append(a.getValue()).append(", "));
                    line.setLength(line.length() - 2);
                    line.append(')');
                }
                io.out().println(line);
            }
            io.out().flush();
        } catch (java.io.IOException ex) {
            io.cancel();
        }
    }

    static Predicate<Event> filter(String spec) {
        Map<String, String> wanted = new HashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            if (eq < 0 || !List.of("type", "action", "actor").contains(key)) {
                throw KeelException.invalid("invalid filter '%s': use type=, action= or actor=", part);
            }
            wanted.put(key, part.substring(eq + 1));
        }
        return e -> (!wanted.containsKey("type") || wanted.get("type").equals(e.type()))
                && (!wanted.containsKey("action") || wanted.get("action").equals(e.action()))
                && (!wanted.containsKey("actor") || wanted.get("actor").equals(e.actor()));
    }

    /** An RFC 3339 time, unix seconds, or a duration before {@code now} such as 90s, 10m, 2h. */
    static Instant time(String text, Instant now, String option) {
        try {
            if (text.matches("\\d+[smh]")) {
                long n = Long.parseLong(text.substring(0, text.length() - 1));
                return now.minus(switch (text.charAt(text.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
            }
            if (text.matches("\\d+(\\.\\d+)?")) {
                return Instant.ofEpochMilli((long) (Double.parseDouble(text) * 1000));
            }
            if (text.matches("\\d{4}-\\d\\d-\\d\\dT[^Zz+]*")) {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            }
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw KeelException.invalid("invalid time '%s' for %s: use RFC 3339, unix seconds or a duration "
                    + "such as 10m", text, option);
        }
    }
}
