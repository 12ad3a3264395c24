package keel.launcher.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The libcrypto digest against the JDK's own, through the JCA as the bundles use it. */
class NativeSha256Test {
    @BeforeAll
    static void install() {
        String outcome = NativeDigests.install(Path.of("target/native/libkeel-digest.so"));
        assertEquals("SHA-256 by libcrypto", outcome, "this machine has libcrypto.so.3 (.ci/install-deps installs it)");
    }

    private static MessageDigest keel() throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        assertEquals(NativeDigests.PROVIDER, digest.getProvider().getName(), "the native provider comes first");
        return digest;
    }

    private static MessageDigest jdk() throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256", "SUN");
    }

    @Test
    void knownVectors() throws Exception {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(keel().digest()));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(keel().digest("abc".getBytes())));
    }

    @Test
    void everySizeAndSplitMatchesTheJdk() throws Exception {
        Random random = new Random(7);
        for (int size : new int[] {1, 55, 56, 63, 64, 65, 1000, 4096, 1 << 20, (1 << 20) + 17}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            MessageDigest keel = keel();
            int split = random.nextInt(size);
            keel.update(data, 0, split);
            keel.update(data[split]);
            keel.update(ByteBuffer.wrap(data, split + 1, size - split - 1));
            assertArrayEquals(jdk().digest(data), keel.digest(), "size " + size + " split at " + split);
        }
    }

    @Test
    void digestResetsAndCloneForks() throws Exception {
        MessageDigest keel = keel();
        keel.update("first".getBytes());
        keel.digest();
        keel.update("abc".getBytes());
        MessageDigest fork = (MessageDigest) keel.clone();
        assertArrayEquals(jdk().digest("abc".getBytes()), keel.digest(), "digest() starts over");
        fork.update("def".getBytes());
        assertArrayEquals(jdk().digest("abcdef".getBytes()), fork.digest(), "a clone continues from the state");
        keel.update("junk".getBytes());
        keel.reset();
        assertArrayEquals(jdk().digest(), keel.digest());
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        MessageDigest keel = keel();
        assertThrows(IllegalArgumentException.class, () -> keel.update(new byte[4], 2, 3));
        assertThrows(DigestException.class, () -> keel.digest(new byte[16], 0, 16));
    }
}
