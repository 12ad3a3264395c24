package keel.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** The plugin protocol with scripts standing in for plugins: environment, stdin, result, errors, timeout, descriptors. */
class PluginRunnerTest {
    @TempDir
    Path dir;

    private final PluginRunner.Call add = new PluginRunner.Call("ADD", "c1", "/var/run/netns/x", "eth0", "web");

    @Test
    void theParametersAreTheEnvironmentAndTheConfigurationIsStdin() throws IOException {
        plugin("echoer", """
                #!/bin/sh
                env | sort > "$(dirname "$0")/env.txt"
                cat > "$(dirname "$0")/stdin.json"
                echo '{"cniVersion": "1.0.0", "ips": [{"address": "10.1.2.3/24"}]}'
                """);
        JsonNode result = runner(Duration.ofSeconds(10)).run("echoer", add, input());
        assertEquals("10.1.2.3/24", result.path("ips").path(0).path("address").asText());
        List<String> env = Files.readAllLines(dir.resolve("env.txt")).stream()
                .filter(l -> !l.startsWith("PWD=") && !l.startsWith("SHLVL=") && !l.startsWith("_=")).toList();
        assertEquals(List.of("CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0", "CNI_NETNS=/var/run/netns/x",
                "CNI_PATH=" + dir, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), env,
                "only CNI's parameters and PATH, nothing of the daemon's environment");
        assertEquals(Json.text(input()), Files.readString(dir.resolve("stdin.json")));
    }

    @Test
    void aCniErrorNamesThePluginTheOperationAndItsMessage() throws IOException {
        plugin("failing", """
                #!/bin/sh
                echo '{"cniVersion": "1.0.0", "code": 7, "msg": "no bridge named x", "details": "try y"}'
                exit 1
                """);
        KeelException e = assertThrows(KeelException.class, () -> runner(Duration.ofSeconds(10)).run("failing", add, input()));
        assertEquals("CNI plugin failing failed ADD of container c1 on network web: no bridge named x "
                + "(CNI error code 7; details: try y)", e.getMessage());
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), "code 7: invalid network configuration");
    }

    @Test
    void aFailureWithoutACniErrorShowsStderr() throws IOException {
        plugin("crashing", "#!/bin/sh\necho 'panic: nil map' >&2\nexit 2\n");
        KeelException e = assertThrows(KeelException.class, () -> runner(Duration.ofSeconds(10)).run("crashing", add, input()));
        assertEquals(ErrorKind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("(exit status 2) without a CNI error: panic: nil map"), e.getMessage());
    }

    @Test
    void aPluginThatHangsIsKilledAtTheTimeout() throws IOException {
        plugin("hanging", "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 600\n");
        KeelException e = assertThrows(KeelException.class, () -> runner(Duration.ofMillis(500)).run("hanging", add, input()));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("did not finish ADD of container c1 on network web within 500 ms"), e.getMessage());
        long pid = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the plugin is gone");
    }

    @Test
    void thePluginInheritsNoDescriptorOfTheDaemon() throws IOException {
        Path marker = Files.writeString(dir.resolve("daemon-file"), "held open by the daemon");
        plugin("lister", """
                #!/bin/sh
                ls -l /proc/self/fd > "$(dirname "$0")/fds.txt"
                echo '{"cniVersion": "1.0.0"}'
                """);
        try (FileInputStream held = new FileInputStream(marker.toFile())) {
            runner(Duration.ofSeconds(10)).run("lister", add, input());
        }
        // "lr-x------ 1 root root 64 ... 0 -> /tmp/.../in123.json": the descriptor and what it is, as ls (the shell's child) has them
        List<String> fds = Files.readAllLines(dir.resolve("fds.txt")).stream().filter(l -> l.contains(" -> "))
                .map(l -> l.substring(l.lastIndexOf(' ', l.indexOf(" -> ") - 1) + 1)).toList();
        assertTrue(fds.stream().noneMatch(l -> l.contains("daemon-file")), fds.toString());
        assertTrue(fds.stream().allMatch(l -> l.matches("[012] -> .*") || l.endsWith("/lister")
                || l.matches("[0-9]+ -> /proc/[0-9]+/fd")), "only stdin, stdout, stderr (and the script, and the "
                + "directory ls reads): " + fds);
        assertEquals(3, fds.stream().filter(l -> l.matches("[012] -> .*")).count(), fds.toString());
        try (Stream<Path> left = Files.list(dir.resolve("scratch"))) {
            assertEquals(List.of(), left.toList(), "the stdio files are removed");
        }
    }

    @Test
    void aPluginNotInThePathIsNamedWithTheDirectoriesSearched() {
        KeelException e = assertThrows(KeelException.class, () -> runner(Duration.ofSeconds(1)).run("nothere", add, input()));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith("CNI plugin nothere is not in " + dir), e.getMessage());
        KeelException path = assertThrows(KeelException.class, () -> runner(Duration.ofSeconds(1)).run("../bin/sh", add, input()));
        assertEquals(ErrorKind.INVALID_ARGUMENT, path.kind());
    }

    private PluginRunner runner(Duration timeout) {
        return new PluginRunner(List.of(dir), timeout, dir.resolve("scratch"));
    }

    private static ObjectNode input() {
        return Json.object("{\"cniVersion\":\"1.0.0\",\"name\":\"web\",\"type\":\"x\"}", "test input");
    }

    private void plugin(String name, String script) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
