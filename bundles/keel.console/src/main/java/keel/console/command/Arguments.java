package keel.console.command;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import keel.api.KeelException;

/**
 * A command line parsed against a command's declared options.
 *
 * @param values the value of each option given (flags map to "true"); the last one wins
 * @param operands the arguments that are not options, in order
 */
public record Arguments(Map<String, String> values, List<String> operands) {
    public Arguments {
        values = Map.copyOf(values);
        operands = List.copyOf(operands);
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The operand at {@code index}, or an error naming it as {@code what} for {@code usage}. */
    public String operand(int index, String what, String usage) {
        if (index >= operands.size()) {
            throw KeelException.invalid("missing %s; usage: %s", what, usage);
        }
        return operands.get(index);
    }
}
