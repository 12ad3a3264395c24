package keel.layer.tar;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import keel.api.KeelException;
import keel.api.image.Digest;

/**
 * The uncompressed tar stream as the unpacker reads it: buffered in large reads, every byte counted
 * and hashed (the diff id), and stopped with an invalid-argument error as soon as more than
 * {@code maxBytes} have come out of the decompressor, so a decompression bomb ends after at most one
 * buffer past the limit, before anything of that size is written.
 */
final class DiffIdInputStream extends InputStream {
    private final InputStream in;
    private final long maxBytes;
    private final MessageDigest sha256;
    private final byte[] buffer;
    private int position;
    private int limit;
    private long total;
    private boolean eof;

    DiffIdInputStream(InputStream in, long maxBytes, int bufferSize) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.buffer = new byte[bufferSize];
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Uncompressed bytes read so far. */
    long bytes() {
        return total;
    }

    /** The diff id of what was read; call after {@link #drain()}. */
    Digest diffId() {
        return new Digest("sha256", HexFormat.of().formatHex(sha256.digest()));
    }

    /** Reads the rest of the stream (data after the tar end-of-archive blocks count for the diff id). */
    void drain() throws IOException {
        while (fill() > 0) {
            position = limit;
        }
    }

    private int fill() throws IOException {
        if (eof) {
            return -1;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            eof = true;
            return -1;
        }
        account(buffer, 0, n);
        position = 0;
        limit = n;
        return n;
    }

    private void account(byte[] bytes, int offset, int length) {
        total += length;
        if (total > maxBytes) {
            throw KeelException.invalid("layer is larger than the limit of %d uncompressed bytes "
                    + "(UnpackLimits.maxBytes): stopped after %d bytes", maxBytes, total);
        }
        sha256.update(bytes, offset, length);
    }

    @Override
    public int read() throws IOException {
        if (position == limit && fill() <= 0) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int available = limit - position;
        if (available == 0) {
            if (len >= buffer.length) {
                // a large read goes straight into the caller's array
                if (eof) {
                    return -1;
                }
                int n = in.read(b, off, len);
                if (n < 0) {
                    eof = true;
                    return -1;
                }
                account(b, off, n);
                return n;
            }
            if (fill() <= 0) {
                return -1;
            }
            available = limit - position;
        }
        int n = Math.min(available, len);
        System.arraycopy(buffer, position, b, off, n);
        position += n;
        return n;
    }

    /** Skipping reads through the data, which is hashed like the rest. */
    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if (position == limit && fill() <= 0) {
                break;
            }
            int step = (int) Math.min(limit - position, n - skipped);
            position += step;
            skipped += step;
        }
        return skipped;
    }

    @Override
    public int available() {
        return limit - position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
