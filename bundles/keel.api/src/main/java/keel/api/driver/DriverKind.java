package keel.api.driver;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import keel.api.KeelException;

/** The kinds of driver the kernel binds, one bound provider per kind at a time. */
public enum DriverKind {
    ISOLATION("keel.api.isolation.IsolationDriver"),
    CGROUP("keel.api.cgroup.CgroupDriver"),
    STORAGE("keel.api.storage.StorageDriver"),
    LAYER("keel.api.layer.LayerUnpacker"),
    IMAGE("keel.api.image.ImageFormat"),
    REGISTRY("keel.api.image.RegistryClient"),
    NETWORK("keel.api.network.NetworkDriver");

    private final String serviceInterface;

    DriverKind(String serviceInterface) {
        this.serviceInterface = serviceInterface;
    }

    /** The name users type and see: {@code isolation}, {@code cgroup}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The fully qualified name of the service interface drivers of this kind register under. */
    public String serviceInterface() {
        return serviceInterface;
    }

    /** Parses a label; an unknown one is an invalid argument that lists the valid kinds. */
    public static DriverKind ofLabel(String label) {
        for (DriverKind kind : values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw KeelException.invalid("unknown driver kind '%s': expected one of %s", label,
                Arrays.stream(values()).map(DriverKind::label).collect(Collectors.joining(", ")));
    }
}
