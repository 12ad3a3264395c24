package keel.kernel.containers;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import keel.api.KeelException;

/** Container ids (64 hex digits) and names (given, checked, or made up as docker does). */
final class Names {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> LEFT = List.of("brave", "calm", "eager", "fond", "keen", "lucid", "merry",
            "nimble", "quiet", "sharp", "steady", "swift", "tender", "vivid", "witty", "zealous");
    private static final List<String> RIGHT = List.of("anchor", "bollard", "capstan", "davit", "ensign", "gunwale",
            "hawser", "jib", "lanyard", "mast", "oar", "rudder", "sextant", "tiller", "winch", "yardarm");

    private Names() {
    }

    static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String generated() {
        return LEFT.get(RANDOM.nextInt(LEFT.size())) + "_" + RIGHT.get(RANDOM.nextInt(RIGHT.size())) + "_"
                + Integer.toHexString(RANDOM.nextInt(0x1000));
    }

    static String check(String name) {
        if (!NAME.matcher(name).matches()) {
            throw KeelException.invalid("invalid container name '%s': use letters, digits, '_', '.', '-' "
                    + "(up to 128, starting with a letter or digit)", name);
        }
        return name;
    }

    static boolean isIdPrefix(String text) {
        return !text.isEmpty() && text.length() <= 64 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0
                && !Character.isUpperCase(c));
    }
}
