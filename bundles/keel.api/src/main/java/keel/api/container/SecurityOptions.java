package keel.api.container;

import java.util.List;

/**
 * {@code --cap-add}, {@code --cap-drop}, {@code --privileged}, {@code --security-opt}.
 *
 * @param capAdd capabilities added to the default set (names with or without CAP_, or ALL)
 * @param capDrop capabilities dropped from it (or ALL)
 * @param privileged every capability, no seccomp, no masked paths, all devices
 * @param noNewPrivileges no_new_privs (on by default)
 * @param seccompProfile null for the default profile, {@code unconfined}, or a profile's JSON text
 */
public record SecurityOptions(List<String> capAdd, List<String> capDrop, boolean privileged, boolean noNewPrivileges,
        String seccompProfile) {
    public static final SecurityOptions DEFAULT = new SecurityOptions(List.of(), List.of(), false, true, null);

    public SecurityOptions {
        capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
        capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
    }
}
