package keel.api.network;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The kernel's networks ({@code keel network ls|create|rm|inspect}). */
@ProviderType
public interface NetworkService {

    List<NetworkRecord> networks();

    NetworkRecord network(String network);

    NetworkRecord createNetwork(NetworkConfig config);

    /** Removes a network; refused (conflict) while containers are attached to it. */
    void removeNetwork(String network);
}
