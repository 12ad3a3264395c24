package keel.console.command;

/**
 * A declared option of a command.
 *
 * @param name the long name without dashes, e.g. {@code format}
 * @param shortName a one-letter alias, or 0
 * @param valueName the name of its value in help (e.g. {@code FORMAT}), or null for a flag
 * @param help one line of help
 */
public record Option(String name, char shortName, String valueName, String help) {

    public static Option flag(String name, char shortName, String help) {
        return new Option(name, shortName, null, help);
    }

    public static Option value(String name, char shortName, String valueName, String help) {
        return new Option(name, shortName, valueName, help);
    }

    public boolean takesValue() {
        return valueName != null;
    }

    String synopsis() {
        String names = (shortName != 0 ? "-" + shortName + ", " : "    ") + "--" + name;
        return takesValue() ? names + " " + valueName : names;
    }
}
