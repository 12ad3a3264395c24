package keel.console.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import keel.api.KeelException;

/**
 * Parses arguments against declared options, GNU style: {@code --name value}, {@code --name=value},
 * {@code -x}, grouped short flags {@code -it}, {@code --} ends options. Options stop at the first
 * operand when the command says so (as {@code keel exec CT CMD -x} needs). An unknown option is an
 * error that names it, never a warning.
 */
public final class OptionParser {
    private OptionParser() {
    }

    public static Arguments parse(String command, List<Option> options, List<String> args,
            boolean optionsStopAtFirstOperand) {
        Map<String, List<String>> values = new HashMap<>();
        List<String> operands = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                operands.add(arg);
                optionsEnded |= optionsStopAtFirstOperand;
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Option option = byName(command, options, name);
                if (option.takesValue()) {
                    if (inline == null) {
                        i = needValue(command, args, i, "--" + name);
                        inline = args.get(i);
                    }
                    add(values, option, inline);
                } else if (inline != null) {
                    throw KeelException.invalid("option --%s of 'keel %s' takes no value", name, command);
                } else {
                    add(values, option, "true");
                }
                continue;
            }
            for (int k = 1; k < arg.length(); k++) {
                Option option = byShort(command, options, arg.charAt(k));
                if (!option.takesValue()) {
                    add(values, option, "true");
                    continue;
                }
                String rest = arg.substring(k + 1);
                if (rest.isEmpty()) {
                    i = needValue(command, args, i, "-" + arg.charAt(k));
                    rest = args.get(i);
                }
                add(values, option, rest);
                break;
            }
        }
        return new Arguments(values, operands);
    }

    private static void add(Map<String, List<String>> values, Option option, String value) {
        values.computeIfAbsent(option.name(), k -> new ArrayList<>()).add(value);
    }

    private static int needValue(String command, List<String> args, int i, String option) {
        if (i + 1 >= args.size()) {
            throw KeelException.invalid("option %s of 'keel %s' needs a value", option, command);
        }
        return i + 1;
    }

    private static Option byName(String command, List<Option> options, String name) {
        for (Option o : options) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        throw KeelException.invalid("unknown option --%s for 'keel %s'; see 'keel %s --help'", name, command,
                command);
    }

    private static Option byShort(String command, List<Option> options, char c) {
        for (Option o : options) {
            if (o.shortName() == c) {
                return o;
            }
        }
        throw KeelException.invalid("unknown option -%s for 'keel %s'; see 'keel %s --help'", c, command, command);
    }
}
