package keel.launcher.digest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.List;

/**
 * Puts SHA-256 by the host's libcrypto first among the JVM's security providers, so that every
 * {@code MessageDigest.getInstance("SHA-256")} of every bundle gets it, unchanged. Where the shim
 * library or libcrypto is missing, nothing is installed and the JDK's own digest stays.
 */
public final class NativeDigests {
    static final String PROVIDER = "KeelNative";

    private NativeDigests() {
    }

    /** Installs the provider from the JNI shim at {@code library}; says what happened, for the log. */
    public static String install(Path library) {
        if (Security.getProvider(PROVIDER) != null) {
            return "SHA-256 by libcrypto (already installed)";
        }
        if (!Files.isRegularFile(library)) {
            return "SHA-256 by the JDK: " + library + " is missing";
        }
        try {
            System.load(library.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            return "SHA-256 by the JDK: cannot load " + library + ": " + e.getMessage();
        }
        if (!NativeSha256.load()) {
            return "SHA-256 by the JDK: the host has no usable libcrypto.so.3";
        }
        Security.insertProviderAt(new KeelNativeProvider(), 1);
        return "SHA-256 by libcrypto";
    }

    private static final class KeelNativeProvider extends Provider {
        private static final long serialVersionUID = 1L;

        KeelNativeProvider() {
            super(PROVIDER, "1.0", "SHA-256 by the host's libcrypto, for the Keel daemon");
            putService(new Service(this, "MessageDigest", "SHA-256", NativeSha256.class.getName(),
                    List.of("SHA256", "2.16.840.1.101.3.4.2.1", "OID.2.16.840.1.101.3.4.2.1"), null));
        }
    }
}
