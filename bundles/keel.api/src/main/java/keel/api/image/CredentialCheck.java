package keel.api.image;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An optional capability of a {@link RegistryClient}: signing in to a registry without pulling, as
 * {@code docker login} does, so that wrong credentials are refused when they are given.
 */
@ConsumerType
public interface CredentialCheck {

    /**
     * Signs in to {@code registry} ({@code host[:port]}) with {@code auth}; returns if the registry
     * accepts them.
     *
     * @throws keel.api.KeelException permission denied if the registry (or its token service)
     *         refuses them, unavailable if it cannot be reached
     */
    void check(String registry, RegistryAuth auth);
}
