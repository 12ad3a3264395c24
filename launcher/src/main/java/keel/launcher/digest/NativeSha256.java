package keel.launcher.digest;

import java.lang.ref.Cleaner;
import java.security.DigestException;
import java.security.MessageDigestSpi;
import java.security.ProviderException;

/**
 * SHA-256 computed by the host's libcrypto (through libkeel-digest, a JNI shim that dlopens it).
 * The daemon runs C1-only for a fast boot, and the JDK's SHA-256 intrinsics (SHA-NI, AVX2) exist
 * in C2 only: this digest is what keeps layer unpack and blob verification near the disk's speed.
 * Each instance owns one native context, freed by a {@link Cleaner} when the instance is gone.
 */
public final class NativeSha256 extends MessageDigestSpi implements Cloneable {
    static final int LENGTH = 32;
    private static final Cleaner CLEANER = Cleaner.create();

    private final long context;
    private final byte[] one = new byte[1];

    public NativeSha256() {
        this(create());
    }

    private NativeSha256(long context) {
        if (context == 0) {
            throw new ProviderException("libcrypto could not make a SHA-256 context");
        }
        this.context = context;
        CLEANER.register(this, () -> free(context));
    }

    @Override
    protected int engineGetDigestLength() {
        return LENGTH;
    }

    @Override
    protected void engineUpdate(byte input) {
        one[0] = input;
        engineUpdate(one, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int length) {
        if (offset < 0 || length < 0 || offset > input.length - length) {
            throw new ArrayIndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + input.length);
        }
        if (length > 0 && !update(context, input, offset, length)) {
            throw new ProviderException("libcrypto failed to hash " + length + " bytes");
        }
    }

    @Override
    protected byte[] engineDigest() {
        byte[] digest = new byte[LENGTH];
        if (!finish(context, digest, 0)) {
            throw new ProviderException("libcrypto failed to finish a SHA-256 digest");
        }
        return digest;
    }

    @Override
    protected int engineDigest(byte[] buffer, int offset, int length) throws DigestException {
        if (length < LENGTH || offset < 0 || offset > buffer.length - LENGTH) {
            throw new DigestException("a SHA-256 digest needs 32 bytes at offset " + offset + " of " + buffer.length);
        }
        if (!finish(context, buffer, offset)) {
            throw new ProviderException("libcrypto failed to finish a SHA-256 digest");
        }
        return LENGTH;
    }

    @Override
    protected void engineReset() {
        if (!reset(context)) {
            throw new ProviderException("libcrypto failed to reset a SHA-256 context");
        }
    }

    @Override
    public Object clone() {
        return new NativeSha256(copy(context));
    }

    /** Binds libcrypto's functions; false when the host has no usable libcrypto.so.3. */
    static native boolean load();

    private static native long create();

    private static native boolean update(long context, byte[] data, int offset, int length);

    private static native boolean finish(long context, byte[] out, int offset);

    private static native boolean reset(long context);

    private static native long copy(long context);

    private static native void free(long context);
}
