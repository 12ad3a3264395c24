package keel.network.bridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import keel.api.KeelException;

/** Names the driver gives and accepts, each checked before it reaches the kernel, a file or a rule. */
final class Names {
    /** IFNAMSIZ - 1: the kernel's limit on interface names. */
    static final int MAX_INTERFACE = 15;

    private Names() {
    }

    static void checkInterfaceName(String name, String what) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,14}")) {
            throw KeelException.invalid("%s name '%s' is not usable: 1 to 15 letters, digits, '-' or '_'", what, name);
        }
    }

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

    /** The bridge of a user network: the prefix and the network id's start, 15 bytes at most. */
    static String userBridge(String prefix, String networkId) {
        return prefix + networkId.substring(0, MAX_INTERFACE - prefix.length());
    }

    /**
     * The host side of an attachment's veth: the prefix and hex of a digest of container id and
     * network id, 15 bytes. The same container on the same network always gets the same name, so
     * leftovers of an interrupted attach are found again; two attachments never share one.
     */
    static String hostVeth(String prefix, String containerId, String networkId) {
        return prefix + digest(containerId + "\n" + networkId).substring(0, MAX_INTERFACE - prefix.length());
    }

    /** The peer's name on the host, for the moment between creating the pair and moving it. */
    static String peerVeth(String prefix, String containerId, String networkId) {
        return prefix + digest(containerId + "\n" + networkId + "\npeer").substring(0, MAX_INTERFACE - prefix.length());
    }

    static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
