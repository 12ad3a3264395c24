package keel.api.image;

/**
 * Credentials for a registry, or none. {@code insecure} allows plain HTTP (for loopback registries
 * or ones the operator lists).
 */
public record RegistryAuth(String username, String password, boolean insecure) {
    public static final RegistryAuth ANONYMOUS = new RegistryAuth(null, null, false);

    @Override
    public String toString() {
        return "RegistryAuth[username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", insecure=" + insecure + "]";
    }
}
