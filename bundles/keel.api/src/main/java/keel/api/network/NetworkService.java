package keel.api.network;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The kernel's networks ({@code keel network ls|create|rm|inspect|connect|disconnect}, {@code keel port}). */
@ProviderType
public interface NetworkService {

    List<NetworkRecord> networks();

    NetworkRecord network(String network);

    NetworkRecord createNetwork(NetworkConfig config);

    /** Removes a network; refused (conflict) while containers are attached to it. */
    void removeNetwork(String network);

    /**
     * Connects a container to one more network (a further interface, {@code eth1}...), at once if it
     * runs and at every start; it answers there to its name and {@code aliases}.
     *
     * @since 1.1
     */
    void connect(String network, String container, List<String> aliases);

    /**
     * Disconnects a container from a network, the one it was created on or one it was connected to (its
     * interface there goes away).
     *
     * @since 1.1
     */
    void disconnect(String network, String container);

    /**
     * The ports a running container publishes, with the host ports actually chosen; empty when it
     * does not run.
     *
     * @since 1.1
     */
    List<PortMapping> ports(String container);

    /**
     * The containers on a network: those created on it (unless disconnected) and those connected to it,
     * running or not, by name.
     *
     * @since 1.2
     */
    List<NetworkEndpoint> endpoints(String network);
}
