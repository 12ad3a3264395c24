package keel.kernel.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;
import keel.api.image.RegistryAuth;

class RegistryCredentialsTest {
    @TempDir
    Path root;

    @Test
    void loginsAreKeptRootOnlyAndUsedPerRegistry() throws Exception {
        Path file = root.resolve("auth/registries.json");
        List<String> checked = new java.util.ArrayList<>();
        RegistryCredentials logins = new RegistryCredentials(file, (registry, auth) -> checked.add(registry + " "
                + auth.username()));
        assertTrue(logins.login("127.0.0.1:5000", "alice", "pw1"));
        logins.login("https://index.docker.io/v1/", "bob", "pw2");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(List.of("127.0.0.1:5000", "docker.io"), logins.registries());
        assertEquals(List.of("127.0.0.1:5000 alice", "docker.io bob"), checked);

        RegistryCredentials again = new RegistryCredentials(file, (registry, auth) -> false); // a restarted daemon
        RegistryAuth auth = again.forRegistry("127.0.0.1:5000", true).orElseThrow();
        assertEquals("alice", auth.username());
        assertEquals("pw1", auth.password());
        assertTrue(auth.insecure());
        assertEquals("bob", again.forRegistry("docker.io", false).orElseThrow().username());
        assertTrue(again.forRegistry("127.0.0.1:5001", false).isEmpty());

        assertTrue(again.logout("127.0.0.1:5000"));
        assertFalse(again.logout("127.0.0.1:5000"));
        assertFalse(Files.readString(file).contains("alice"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() {
        Path file = root.resolve("auth/registries.json");
        RegistryCredentials logins = new RegistryCredentials(file, (registry, auth) -> {
            throw KeelException.invalid("refused by the registry");
        });
        KeelException host = assertThrows(KeelException.class, () -> logins.login("bad host!", "u", "p"));
        assertTrue(host.getMessage().contains("invalid registry 'bad host!'"), host.getMessage());
        assertThrows(KeelException.class, () -> logins.login("127.0.0.1:5000", "", "p"));
        assertThrows(KeelException.class, () -> logins.login("127.0.0.1:5000", "a:b", "p"));
        KeelException password = assertThrows(KeelException.class, () -> logins.login("127.0.0.1:5000", "u", ""));
        assertTrue(password.getMessage().contains("--password-stdin"), password.getMessage());
        KeelException refused = assertThrows(KeelException.class, () -> logins.login("127.0.0.1:5000", "u", "p"));
        assertTrue(refused.getMessage().contains("refused by the registry"), refused.getMessage());
        assertFalse(Files.exists(file));
    }
}
