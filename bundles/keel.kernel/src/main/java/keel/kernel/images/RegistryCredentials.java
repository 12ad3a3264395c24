package keel.kernel.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import keel.api.KeelException;
import keel.api.image.CredentialCheck;
import keel.api.image.ImageReference;
import keel.api.image.RegistryAuth;
import keel.api.image.RegistryLogins;
import keel.kernel.KernelSettings;
import keel.kernel.drivers.Drivers;
import keel.kernel.state.AtomicFiles;
import keel.kernel.state.Json;

/**
 * {@code keel login}: credentials per registry in {@code <root>/auth/registries.json}, a file of
 * mode 0600 in a directory of mode 0700 (root-only, as the daemon is), written atomically. Pulls
 * that bring no credentials of their own use the registry's.
 */
@Component(service = {RegistryLogins.class, RegistryCredentials.class}, configurationPid = KernelSettings.PID)
public class RegistryCredentials implements RegistryLogins {
    /** One registry's credentials, as stored. */
    record Login(String username, String password) {
    }

    /** The persisted form. */
    record Logins(Map<String, Login> registries) {
        Logins {
            registries = registries == null ? Map.of() : Map.copyOf(registries);
        }
    }

    /** Signs in to a registry with credentials; false if it cannot check them. */
    interface Check {
        boolean check(String registry, RegistryAuth auth);
    }

    private static final List<String> DOCKER_HUB = List.of("docker.io", "index.docker.io", "registry-1.docker.io");
    private final Path file;
    private final Check check;

    @Activate
    public RegistryCredentials(@Reference Drivers drivers, BundleContext context, Map<String, Object> config) {
        this(KernelSettings.from(context, config).root().resolve("auth").resolve("registries.json"),
                (registry, auth) -> {
                    if (drivers.registry() instanceof CredentialCheck driver) {
                        driver.check(registry, auth);
                        return true;
                    }
                    return false;
                });
    }

    RegistryCredentials(Path file, Check check) {
        this.file = file;
        this.check = check;
    }

    @Override
    public boolean login(String registry, String username, String password) {
        String host = host(registry);
        if (username == null || username.isEmpty()) {
            throw KeelException.invalid("give a user name for %s with -u USER", host);
        }
        if (password == null || password.isEmpty()) {
            throw KeelException.invalid("give a password for %s with -p PASS or --password-stdin", host);
        }
        if (username.contains(":") || username.chars().anyMatch(Character::isISOControl)) {
            throw KeelException.invalid("invalid user name for %s: no ':' and no control characters", host);
        }
        boolean checked = check.check(host, new RegistryAuth(username, password, false)); // not under the lock
        synchronized (this) {
            Map<String, Login> all = new TreeMap<>(read().registries());
            all.put(host, new Login(username, password));
            write(new Logins(all));
        }
        return checked;
    }

    @Override
    public synchronized boolean logout(String registry) {
        String host = host(registry);
        Map<String, Login> all = new TreeMap<>(read().registries());
        if (all.remove(host) == null) {
            return false;
        }
        write(new Logins(all));
        return true;
    }

    @Override
    public synchronized List<String> registries() {
        return List.copyOf(new TreeMap<>(read().registries()).keySet());
    }

    /** The stored credentials for a registry (as an image reference names it), if any. */
    synchronized Optional<RegistryAuth> forRegistry(String registry, boolean insecure) {
        Login login = read().registries().get(host(registry));
        return login == null ? Optional.empty()
                : Optional.of(new RegistryAuth(login.username(), login.password(), insecure));
    }

    /**
     * A registry as {@code keel login} takes it ({@code host[:port]}, optionally as a URL) in the
     * form image references use: Docker Hub's names are all {@code docker.io}.
     */
    static String host(String registry) {
        String host = registry == null ? "" : registry.strip();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        host = host.toLowerCase(java.util.Locale.ROOT);
        if (DOCKER_HUB.contains(host)) {
            return ImageReference.DEFAULT_REGISTRY;
        }
        if (host.isEmpty()) {
            throw KeelException.invalid("give the registry, e.g. 127.0.0.1:5000 or docker.io");
        }
        try {
            return new ImageReference(host, "x", "latest", null).registry();
        } catch (KeelException e) {
            throw KeelException.invalid("invalid registry '%s': give host[:port], e.g. 127.0.0.1:5000", registry);
        }
    }

    private Logins read() {
        if (!Files.exists(file)) {
            return new Logins(Map.of());
        }
        try {
            return Json.read(Files.readAllBytes(file), Json.MAPPER.constructType(Logins.class), file.toString());
        } catch (IOException e) {
            throw KeelException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(Logins logins) {
        try {
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw KeelException.internal("cannot prepare " + file.getParent() + ": " + e.getMessage(), e);
        }
        AtomicFiles.writePrivate(file, Json.write(logins));
    }
}
