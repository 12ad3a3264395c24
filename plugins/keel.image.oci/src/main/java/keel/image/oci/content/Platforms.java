package keel.image.oci.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

import keel.api.KeelException;
import keel.api.image.Platform;

/**
 * Platform matching as containerd's {@code platforms.Only} does it: architecture names normalised
 * ({@code x86_64} is {@code amd64}, {@code aarch64} is {@code arm64}), the default variants implied
 * ({@code arm64} is {@code arm64/v8}, {@code arm} is {@code arm/v7}), and an {@code arm/v7} host
 * also accepting {@code v6} and {@code v5}, preferring the highest.
 */
public final class Platforms {
    private Platforms() {
    }

    /** {@code platform} with lower-case os, canonical architecture and the default variant made explicit. */
    public static Platform normalize(Platform platform) {
        String os = platform.os().toLowerCase(Locale.ROOT);
        String arch = platform.architecture().toLowerCase(Locale.ROOT);
        String variant = platform.variant() == null ? "" : platform.variant().toLowerCase(Locale.ROOT);
        switch (arch) {
            case "x86_64", "x86-64", "amd64" -> {
                arch = "amd64";
                if (variant.equals("v1")) {
                    variant = "";
                }
            }
            case "i386", "i486", "i586", "i686", "386" -> arch = "386";
            case "aarch64", "arm64" -> {
                arch = "arm64";
                if (variant.equals("8") || variant.equals("v8")) {
                    variant = "";
                }
            }
            case "armhf" -> {
                arch = "arm";
                variant = "v7";
            }
            case "armel" -> {
                arch = "arm";
                variant = "v6";
            }
            case "arm" -> {
                if (variant.isEmpty() || variant.equals("7")) {
                    variant = "v7";
                } else if (variant.matches("[5-8]")) {
                    variant = "v" + variant;
                }
            }
            default -> {
            }
        }
        return new Platform(os, arch, variant.isEmpty() ? null : variant);
    }

    /** How well {@code have} serves {@code want}: -1 not at all, higher is better. */
    static int score(Platform want, Platform have) {
        Platform w = normalize(want);
        Platform h = normalize(have);
        if (!w.os().equals(h.os()) || !w.architecture().equals(h.architecture())) {
            return -1;
        }
        String wv = w.variant() == null ? "" : w.variant();
        String hv = h.variant() == null ? "" : h.variant();
        if (wv.equals(hv)) {
            return 100;
        }
        if (w.architecture().equals("arm") && wv.matches("v[5-8]") && hv.matches("v[5-8]")) {
            int wn = wv.charAt(1) - '0';
            int hn = hv.charAt(1) - '0';
            return hn < wn ? 10 + hn : -1;
        }
        // a platform that names no variant accepts any variant of its architecture
        return wv.isEmpty() ? 1 : -1;
    }

    public static boolean matches(Platform want, Platform have) {
        return score(want, have) >= 0;
    }

    /**
     * The candidate whose platform best matches {@code want} (the first of equals). Candidates whose
     * platform is unknown ({@code platformOf} gives null) never match. None: not-found naming
     * {@code where} and every platform available.
     */
    public static <T> T select(List<T> candidates, Function<T, Platform> platformOf, Platform want, String where) {
        T best = null;
        int bestScore = -1;
        List<String> available = new ArrayList<>();
        for (T candidate : candidates) {
            Platform have = platformOf.apply(candidate);
            if (have == null) {
                continue;
            }
            available.add(have.toString());
            int score = score(want, have);
            if (score > bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        if (best == null) {
            throw KeelException.notFound("no image for platform %s in %s: available platforms: %s", want, where,
                    available.isEmpty() ? "none declared" : available.stream().distinct().collect(Collectors.joining(", ")));
        }
        return best;
    }
}
