package keel.api.image;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Credentials for registries, kept by the kernel (root-only) and used by every pull from that
 * registry that brings none of its own. A registry is named as in image references:
 * {@code host[:port]}, {@code docker.io} for Docker Hub.
 */
@ProviderType
public interface RegistryLogins {

    /**
     * Stores (replacing) the credentials for {@code registry}, after the bound registry driver has
     * signed in with them if it can ({@link CredentialCheck}); nothing is stored if it refuses them.
     *
     * @return whether the registry checked them (false: they are checked at the next pull)
     */
    boolean login(String registry, String username, String password);

    /** Forgets the credentials for {@code registry}; false if there were none. */
    boolean logout(String registry);

    /** The registries with stored credentials. */
    List<String> registries();
}
