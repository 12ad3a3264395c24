package keel.api.kernel;

/** Where a driver provider stands with the kernel. */
public enum DriverState {
    /** Calls of its kind go to it. */
    BOUND,
    /** Registered and usable, but another provider is bound (lower ranking, or a swap chose another). */
    STANDBY,
    /** Its component failed to activate, e.g. the host lacks what it needs; the reason says what. */
    FAILED,
    /** Its component waits for something it references, or its bundle is not active. */
    UNSATISFIED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
