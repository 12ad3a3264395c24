package keel.network.cni;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Test support: commands (ip, iptables, ping) run as processes, and names with a random tag. */
final class Sh {
    private Sh() {
    }

    record Result(int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }
    }

    /** Skips the calling test unless it runs as root (the privileged tests change the host's networking). */
    static void assumeRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")) && System.getProperty("os.name").equals("Linux"),
                "needs root on Linux (creates bridges, veths, network namespaces, iptables chains)");
    }

    /** 4 random hex digits, part of every name a test makes. */
    static String randomTag() {
        return HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }

    static Result run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectInput(new File("/dev/null")).start();
            // outputs are small; read them after the end
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
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

    static String ok(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + " failed (" + r.status() + "): " + r.err() + r.out());
        }
        return r.out();
    }

    static Result inNetns(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    /** Whether {@code address} answers a ping from namespace {@code ns} (three tries: the machine is shared). */
    static boolean reaches(String ns, String address) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (inNetns(ns, "ping", "-c1", "-W2", address).ok()) {
                return true;
            }
        }
        return false;
    }

    /** The host's links whose names contain {@code tag}. */
    static List<String> linksWith(String tag) {
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

    static List<String> netnsWith(String tag) {
        return ok("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(n -> n.contains(tag)).toList();
    }
}
