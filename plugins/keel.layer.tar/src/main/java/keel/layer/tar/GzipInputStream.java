package keel.layer.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A strict gzip reader for layers (RFC 1952): concatenated members are read until the end of the
 * input, anything after a member that is not another member is an error (as Go's gzip reader in
 * multistream mode, which containerd uses), the CRC-32 and length of every member are checked, and
 * the optional header fields are skipped without being kept (Commons Compress keeps a file name of
 * any length in memory; the JDK's reader stops at a member boundary when {@code available()} says
 * 0, which a network stream may).
 */
final class GzipInputStream extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final InputStream in;
    private final byte[] input;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] one = new byte[1];
    private int inputPosition;
    private int inputLimit;
    private long memberBytes;
    private boolean done;

    GzipInputStream(InputStream in, int bufferSize) throws IOException {
        this.in = in;
        this.input = new byte[bufferSize];
        if (!readHeader(true)) {
            throw new EOFException("empty gzip stream");
        }
    }

    @Override
    public int read() throws IOException {
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!done) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new IOException("corrupt gzip data: " + e.getMessage(), e);
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                int rest = inflater.getRemaining();
                inputPosition = inputLimit - rest;
                readTrailer();
                if (!readHeader(false)) {
                    done = true;
                }
                continue;
            }
            if (inflater.needsDictionary()) {
                throw new IOException("corrupt gzip data: a preset dictionary is required");
            }
            if (inflater.needsInput()) {
                if (fillInput() < 0) {
                    throw new EOFException("truncated gzip stream: it ends inside compressed data");
                }
                inflater.setInput(input, inputPosition, inputLimit - inputPosition);
                inputPosition = inputLimit;
            }
        }
        return -1;
    }

    /** Reads a member header; at a member boundary, false at the end of the input. */
    private boolean readHeader(boolean first) throws IOException {
        int id1 = readByteOrEof();
        if (id1 < 0) {
            if (first) {
                return false;
            }
            return false;
        }
        int id2 = readByte();
        if (id1 != 0x1f || id2 != 0x8b) {
            throw new IOException(first ? "not in gzip format (wrong magic bytes)"
                    : "unexpected data after the end of a gzip member");
        }
        if (readByte() != 8) {
            throw new IOException("unsupported gzip compression method (only deflate exists)");
        }
        int flags = readByte();
        for (int i = 0; i < 6; i++) { // mtime, xfl, os
            readByte();
        }
        if ((flags & FEXTRA) != 0) {
            int length = readByte() | readByte() << 8;
            for (int i = 0; i < length; i++) {
                readByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (readByte() != 0) {
                // skipped, never kept
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (readByte() != 0) {
                // skipped, never kept
            }
        }
        if ((flags & FHCRC) != 0) {
            readByte();
            readByte();
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inflater.setInput(input, inputPosition, inputLimit - inputPosition);
        inputPosition = inputLimit;
        return true;
    }

    private void readTrailer() throws IOException {
        long expectedCrc = readInt();
        long expectedSize = readInt();
        if (expectedCrc != crc.getValue()) {
            throw new IOException("corrupt gzip data: CRC-32 mismatch");
        }
        if (expectedSize != (memberBytes & 0xffffffffL)) {
            throw new IOException("corrupt gzip data: length mismatch");
        }
    }

    private long readInt() throws IOException {
        return (readByte() | readByte() << 8 | readByte() << 16 | (long) readByte() << 24) & 0xffffffffL;
    }

    private int readByte() throws IOException {
        int b = readByteOrEof();
        if (b < 0) {
            throw new EOFException("truncated gzip stream: it ends inside a member header or trailer");
        }
        return b;
    }

    private int readByteOrEof() throws IOException {
        if (inputPosition == inputLimit && fillInput() < 0) {
            return -1;
        }
        return input[inputPosition++] & 0xff;
    }

    private int fillInput() throws IOException {
        int n = in.read(input, 0, input.length);
        if (n < 0) {
            return -1;
        }
        inputPosition = 0;
        inputLimit = n;
        return n;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
