package keel.network.cni;

import keel.api.KeelException;

/** Names the driver gives and accepts, each checked before it reaches a plugin, a file or the kernel. */
final class Names {
    private Names() {
    }

    static void checkInterfaceName(String name, String what) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,14}")) {
            throw KeelException.invalid("%s name '%s' is not usable: 1 to 15 letters, digits, '-' or '_'", what, name);
        }
    }

    /** A network name is CNI's {@code name}: it becomes host-local's directory and part of iptables comments. */
    static void checkNetworkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw KeelException.invalid("network name '%s' is not usable: 1 to 64 letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit", name);
        }
    }

    static void checkContainerId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw KeelException.invalid("container id '%s' is not usable: 1 to 128 letters, digits, '_', '.' or '-'", id);
        }
    }

    /** A plugin's {@code type} is an executable's name in CNI_PATH: never a path. */
    static void checkPluginType(String type) {
        if (type == null || !type.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw KeelException.invalid("CNI plugin type '%s' is not usable: an executable's name in CNI_PATH "
                    + "(letters, digits, '_', '.', '-'), never a path", type);
        }
    }
}
