package keel.api.container;

import keel.api.KeelException;

/**
 * {@code --restart no|on-failure[:N]|always|unless-stopped}.
 *
 * @param name the policy
 * @param maxRetries for on-failure, the most restarts (0 = no limit)
 */
public record RestartPolicy(String name, int maxRetries) {
    public static final RestartPolicy NO = new RestartPolicy("no", 0);

    public RestartPolicy {
        if (!java.util.List.of("no", "on-failure", "always", "unless-stopped").contains(name)) {
            throw KeelException.invalid("invalid --restart '%s': use no, on-failure[:N], always or unless-stopped",
                    name);
        }
        if (maxRetries < 0) {
            throw KeelException.invalid("invalid --restart on-failure:%d: the count must be positive", maxRetries);
        }
    }

    public static RestartPolicy parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new RestartPolicy(text, 0);
        }
        String name = text.substring(0, colon);
        if (!name.equals("on-failure")) {
            throw KeelException.invalid("invalid --restart '%s': only on-failure takes a count", text);
        }
        try {
            return new RestartPolicy(name, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw KeelException.invalid("invalid --restart '%s': the count must be a number", text);
        }
    }
}
