package keel.console.commands;

import java.nio.charset.StandardCharsets;
import java.util.List;

import keel.api.KeelException;
import keel.api.image.ImageReference;
import keel.api.image.RegistryLogins;
import keel.console.command.Arguments;
import keel.console.command.Command;
import keel.console.command.Invocation;
import keel.console.command.Option;

/**
 * {@code keel login} and {@code keel logout}: the daemon keeps the credentials (root-only) and
 * every pull from that registry uses them. The password comes from {@code -p} or, better, stdin.
 */
public class LoginCommand implements Command {
    private static final int MAX_PASSWORD = 64 * 1024;

    private final RegistryLogins logins;
    private final boolean login;

    public LoginCommand(RegistryLogins logins, boolean login) {
        this.logins = logins;
        this.login = login;
    }

    @Override
    public String name() {
        return login ? "login" : "logout";
    }

    @Override
    public String summary() {
        return login ? "Store credentials for a registry (used by pulls from it)"
                : "Forget the credentials for a registry";
    }

    @Override
    public String usage() {
        return login ? "login -u USER (-p PASS | --password-stdin) [REGISTRY]" : "logout [REGISTRY]";
    }

    @Override
    public List<Option> options() {
        return login ? List.of(Option.value("username", 'u', "USER", "the user name"),
                Option.value("password", 'p', "PASS", "the password (visible to ps: prefer --password-stdin)"),
                Option.flag("password-stdin", (char) 0, "read the password from stdin")) : List.of();
    }

    @Override
    public int run(Arguments args, Invocation io) throws Exception {
        if (args.operands().size() > 1) {
            throw KeelException.invalid("give one registry; usage: keel %s", usage());
        }
        String registry = args.operands().isEmpty() ? ImageReference.DEFAULT_REGISTRY : args.operands().get(0);
        if (!login) {
            io.out().println(logins.logout(registry) ? "Removing login credentials for " + registry
                    : "Not logged in to " + registry);
            return 0;
        }
        String user = args.value("username").orElseThrow(
                () -> KeelException.invalid("give the user name with -u USER; usage: keel %s", usage()));
        String password;
        if (args.flag("password-stdin")) {
            if (args.value("password").isPresent()) {
                throw KeelException.invalid("--password and --password-stdin are exclusive");
            }
            password = readStdin(io);
        } else {
            password = args.value("password").orElseThrow(() -> KeelException.invalid(
                    "give the password with --password-stdin (or -p PASS); usage: keel %s", usage()));
            io.err().println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        if (logins.login(registry, user, password)) {
            io.out().println("Login Succeeded");
        } else {
            io.out().println("Credentials for " + registry + " stored; the registry driver cannot sign in without "
                    + "pulling, so the next pull checks them");
        }
        return 0;
    }

    /** All of stdin, without its final line end (echo's newline). */
    private static String readStdin(Invocation io) throws Exception {
        var terminal = io.terminal().orElseThrow(
                () -> KeelException.invalid("--password-stdin needs the keel client's stdin; use -p here"));
        byte[] bytes = terminal.openStdin().readNBytes(MAX_PASSWORD + 1);
        if (bytes.length > MAX_PASSWORD) {
            throw KeelException.invalid("the password on stdin is longer than %d bytes", MAX_PASSWORD);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            throw KeelException.invalid("--password-stdin: stdin gave no password");
        }
        return text;
    }
}
