package keel.layer.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import keel.api.KeelException;
import keel.api.image.Digest;

/**
 * The uncompressed tar stream as the unpacker reads it: every byte counted and hashed (the diff
 * id), and stopped with an invalid-argument error as soon as more than {@code maxBytes} have come
 * out of the decompressor, so a decompression bomb ends after at most one buffer past the limit,
 * before anything of that size is written.
 *
 * <p>Decompression and hashing run ahead on a reader thread, a few large buffers ahead of the
 * thread that writes the files (GNU tar gets the same overlap by running gzip as a second process).
 * The buffers and the reader's errors are handed over through queues; {@link #close()} stops the
 * reader and waits for it.
 */
final class DiffIdInputStream extends InputStream {
    private static final int BUFFERS = 4;

    /** A filled buffer, the end of the stream ({@code length < 0}), or the reader's failure. */
    private record Chunk(byte[] bytes, int length, Throwable failure) {
    }

    private final InputStream in;
    private final long maxBytes;
    private final MessageDigest sha256;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread reader;
    private volatile boolean closed;
    private volatile long total;
    private Chunk current;
    private int position;
    private boolean eof;

    DiffIdInputStream(InputStream in, long maxBytes, int bufferSize) {
        this.in = in;
        this.maxBytes = maxBytes;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[bufferSize]);
        }
        reader = new Thread(this::readAhead, "keel-layer-read");
        reader.setDaemon(true);
        reader.start();
    }

    private void readAhead() {
        try {
            while (!closed) {
                byte[] buffer = free.take();
                int length = 0;
                int n = 0;
                while (length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) >= 0) {
                    length += n;
                    if (closed) {
                        return;
                    }
                }
                if (length > 0) {
                    total += length;
                    if (total > maxBytes) {
                        throw KeelException.invalid("layer is larger than the limit of %d uncompressed bytes "
                                + "(UnpackLimits.maxBytes): stopped after %d bytes", maxBytes, total);
                    }
                    sha256.update(buffer, 0, length);
                    filled.put(new Chunk(buffer, length, null));
                }
                if (n < 0) {
                    filled.put(new Chunk(null, -1, null));
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable e) {
            try {
                filled.put(new Chunk(null, -1, e));
            } catch (InterruptedException interrupted) {
                // closed
            }
        }
    }

    /** Uncompressed bytes read so far (by the reader thread, a few buffers ahead). */
    long bytes() {
        return total;
    }

    /** The diff id of what was read; call after {@link #drain()}. */
    Digest diffId() {
        return new Digest("sha256", HexFormat.of().formatHex(sha256.digest()));
    }

    /** Reads the rest of the stream (data after the tar end-of-archive blocks count for the diff id). */
    void drain() throws IOException {
        while (next()) {
            position = current.length();
        }
    }

    /** Makes {@link #current} a chunk with data left; false at the end. */
    private boolean next() throws IOException {
        if (current != null && position < current.length()) {
            return true;
        }
        if (eof) {
            return false;
        }
        if (current != null) {
            free.add(current.bytes());
            current = null;
        }
        Chunk chunk;
        try {
            chunk = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the layer");
        }
        if (chunk.failure() != null) {
            eof = true;
            Throwable failure = chunk.failure();
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            throw new IOException(failure);
        }
        if (chunk.length() < 0) {
            eof = true;
            return false;
        }
        current = chunk;
        position = 0;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (!next()) {
            return -1;
        }
        return current.bytes()[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!next()) {
            return -1;
        }
        int n = Math.min(current.length() - position, len);
        System.arraycopy(current.bytes(), position, b, off, n);
        position += n;
        return n;
    }

    /** Skipping reads through the data, which is hashed like the rest. */
    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && next()) {
            int step = (int) Math.min(current.length() - position, n - skipped);
            position += step;
            skipped += step;
        }
        return skipped;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length() - position;
    }

    /** Stops the reader thread and closes the source. */
    @Override
    public void close() throws IOException {
        closed = true;
        reader.interrupt();
        try {
            reader.join(2_000); // it stops after the read it is in
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        in.close(); // also unblocks a reader stuck on a slow source
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
