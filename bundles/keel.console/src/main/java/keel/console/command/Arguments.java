package keel.console.command;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import keel.api.KeelException;

/**
 * A command line parsed against a command's declared options.
 *
 * @param values every value of each option given, in order (a flag's value is "true")
 * @param operands the arguments that are not options, in order
 */
public record Arguments(Map<String, List<String>> values, List<String> operands) {
    public Arguments {
        values = Map.copyOf(values);
        operands = List.copyOf(operands);
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    /** The option's value; given more than once, the last one. */
    public Optional<String> value(String name) {
        List<String> all = values.get(name);
        return all == null ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Every value of a repeatable option ({@code -e A=1 -e B=2}), in order. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** The operand at {@code index}, or an error naming it as {@code what} for {@code usage}. */
    public String operand(int index, String what, String usage) {
        if (index >= operands.size()) {
            throw KeelException.invalid("missing %s; usage: %s", what, usage);
        }
        return operands.get(index);
    }
}
