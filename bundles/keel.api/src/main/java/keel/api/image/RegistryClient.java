package keel.api.image;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;

/** Pulls images per the OCI distribution spec into the content store. */
@ConsumerType
public interface RegistryClient extends Driver {

    /**
     * Fetches {@code reference} for {@code platform} (resolving an index or manifest list), its config
     * and layers, skipping blobs the store has, verifying every digest.
     */
    LoadedImage pull(ImageReference reference, Platform platform, RegistryAuth auth, ContentStore store,
            PullProgress progress);
}
