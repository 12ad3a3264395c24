package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code keel} client against a daemon it starts itself, as an operator uses it: autostart,
 * the Foundation commands, errors that name the problem, root only.
 */
class CliTest {
    static Keel keel;

    @BeforeAll
    static void startDaemon() throws Exception {
        keel = new Keel("cli");
        Keel.Result version = keel.keel("version"); // no daemon yet: the client starts one
        assertEquals(0, version.code(), version.toString());
        assertTrue(keel.daemonPid() > 0, "the client must have started a daemon");
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        keel.close();
    }

    @Test
    void versionNamesKeelTheFrameworkAndTheProtocol() throws Exception {
        Keel.Result r = keel.keel("version");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Keel version "), r.out());
        assertTrue(r.out().contains("org.apache.felix.framework 7."), r.out());
        assertTrue(r.out().contains("keel/1"), r.out());
        assertTrue(r.out().contains("API version:  1.0.0"), r.out());
    }

    @Test
    void infoShowsHostFactsAndEveryDriverKind() throws Exception {
        Keel.Result r = keel.keel("info");
        assertEquals(0, r.code(), r.toString());
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        assertTrue(r.out().contains("Kernel Version:    " + kernel), r.out());
        assertTrue(r.out().contains("Cgroup Version:    hybrid") || r.out().contains("Cgroup Version:    v"), r.out());
        assertTrue(r.out().contains("Root Dir:          " + keel.root), r.out());
        for (String kind : List.of("isolation", "cgroup", "storage", "layer", "image", "registry", "network")) {
            assertTrue(r.out().contains("  " + kind + ":"), kind + " missing in\n" + r.out());
        }
        Keel.Result json = keel.keel("info", "--format", "json");
        assertEquals(0, json.code(), json.toString());
        assertTrue(json.out().contains("\"kernelVersion\" : \"" + kernel + "\""), json.out());
    }

    @Test
    void driversListsEveryKind() throws Exception {
        Keel.Result r = keel.keel("drivers");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("KIND"), r.out());
        for (String kind : List.of("isolation", "cgroup", "storage", "layer", "image", "registry", "network")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(kind + " ")), kind + " missing:\n" + r.out());
        }
        // what this distribution ships, bound on this host
        assertTrue(r.out().lines().anyMatch(l -> l.matches("isolation\\s+linux\\s+bound.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("storage\\s+overlay\\s+bound.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("cgroup\\s+v[12]\\s+bound.*")), r.out());
    }

    @Test
    void anUnknownCommandOrOptionIsNamedAndExits125() throws Exception {
        Keel.Result command = keel.keel("frobnicate");
        assertEquals(125, command.code(), command.toString());
        assertTrue(command.err().contains("unknown command 'frobnicate'"), command.err());

        Keel.Result option = keel.keel("drivers", "--frobnicate");
        assertEquals(125, option.code(), option.toString());
        assertTrue(option.err().contains("unknown option --frobnicate for 'keel drivers'"), option.err());

        Keel.Result kind = keel.keel("swap", "nonsense", "x");
        assertEquals(125, kind.code(), kind.toString());
        assertTrue(kind.err().contains("unknown driver kind 'nonsense'"), kind.err());

        Keel.Result missing = keel.keel("swap", "layer", "nobody");
        assertEquals(125, missing.code(), missing.toString());
        assertTrue(missing.err().contains("no layer driver with id 'nobody' is registered"), missing.err());
    }

    @Test
    void everyCommandHasHelp() throws Exception {
        Keel.Result overview = keel.keel("--help");
        assertEquals(0, overview.code(), overview.toString());
        List<String> commands = new ArrayList<>();
        for (String line : overview.out().lines().toList()) {
            if (line.startsWith("  ")) {
                commands.add(line.trim().split("\\s+")[0]);
            }
        }
        assertTrue(commands.containsAll(List.of("daemon", "drivers", "events", "info", "plugins", "swap", "version")),
                commands.toString());
        for (String command : commands) {
            Keel.Result help = keel.keel(command, "--help");
            assertEquals(0, help.code(), command + ": " + help);
            assertTrue(help.out().startsWith("Usage: keel " + command), help.out());
        }
    }

    @Test
    void aUserOtherThanRootGetsAClearPermissionError() throws Exception {
        List<String> asNobody = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        asNobody.addAll(keel.command(List.of("version")));
        Keel.Result r = Keel.exec(asNobody);
        assertEquals(125, r.code(), r.toString());
        assertTrue(r.err().contains("permission denied"), r.err());
        assertTrue(r.err().contains("root"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void noAutostartRefusesWhenNoDaemonRuns() throws Exception {
        Keel other = new Keel("no-autostart");
        Keel.Result r = Keel.exec(other.command(List.of("--no-autostart", "version")));
        // global options must come first: --no-autostart after --root/--run is still a global option
        assertEquals(125, r.code(), r.toString());
        assertTrue(r.err().contains("no keel daemon"), r.err());
        assertEquals(-1, other.daemonPid());
    }
}
