package keel.network.bridge;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test support for the privileged tests: commands (ip, nft, ping) run as processes, names with
 * "kt" and a random suffix, and the assumption that the tests run as root on Linux.
 */
public final class Sh {
    private Sh() {
    }

    public record Result(int status, String out, String err) {
        public boolean ok() {
            return status == 0;
        }
    }

    /** Skips the calling test unless it runs as root (the privileged tests change the host's networking). */
    public static void assumeRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")) && System.getProperty("os.name").equals("Linux"),
                "needs root on Linux (creates bridges, veths, network namespaces, nftables tables)");
    }

    /** "kt" + 4 random hex digits, the start of every name a test makes. */
    public static String randomTag() {
        return "kt" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()).substring(0, 4);
    }

    public static Result run(String... command) {
        return run(10, command);
    }

    public static Result run(int timeoutSeconds, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, "", "timed out: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs a command that must succeed; returns its output. */
    public static String ok(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + " failed (" + r.status() + "): " + r.err() + r.out());
        }
        return r.out();
    }

    /** Creates network namespace {@code name} (ip netns add); returns its path. */
    public static String addNetns(String name) {
        ok("ip", "netns", "add", name);
        return "/var/run/netns/" + name;
    }

    public static void deleteNetns(String name) {
        run("ip", "netns", "delete", name);
    }

    /** In namespace {@code ns}: {@code ip netns exec ns command...}. */
    public static Result inNetns(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    /**
     * Whether {@code address} answers a ping from namespace {@code ns}: up to three tries, so that a
     * loaded machine (other builds share its two cores) does not turn a slow answer into a failure.
     */
    public static boolean reaches(String ns, String address) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (inNetns(ns, "ping", "-c1", "-W2", address).ok()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code address} stays silent to one ping from {@code ns} (for what must not be reachable). */
    public static boolean silent(String ns, String address) {
        return !inNetns(ns, "ping", "-c1", "-W1", address).ok();
    }

    /** The host's links whose names contain {@code tag}. */
    public static List<String> linksWith(String tag) {
        List<String> names = new ArrayList<>();
        for (String line : ok("ip", "-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length > 1) {
                String name = parts[1].split("@")[0];
                if (name.contains(tag)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The host's nftables tables ("family name") whose names contain {@code tag}. */
    public static List<String> tablesWith(String tag) {
        List<String> tables = new ArrayList<>();
        for (String line : ok("nft", "list", "tables").split("\n")) {
            if (line.contains(tag)) {
                tables.add(line.replace("table ", "").strip());
            }
        }
        return tables;
    }

    /** Removes every link and table whose name contains {@code tag} and every namespace named with it. */
    public static void removeEverythingWith(String tag) {
        for (String link : linksWith(tag)) {
            run("ip", "link", "delete", link);
        }
        for (String table : tablesWith(tag)) {
            String[] familyName = table.split(" ");
            run("nft", "delete", "table", familyName[0], familyName[1]);
        }
        for (String line : ok("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0];
            if (name.contains(tag)) {
                deleteNetns(name);
            }
        }
    }
}
