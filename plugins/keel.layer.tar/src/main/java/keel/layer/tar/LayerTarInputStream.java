package keel.layer.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import keel.api.KeelException;

/**
 * Commons Compress's tar reader, bounded and made byte-exact for layers.
 *
 * <ul>
 * <li>Every header record is screened before Commons Compress parses it: a PAX header larger than
 * {@link #MAX_PAX_BYTES} or a GNU long name or link larger than the name limit is refused, since
 * Commons Compress would read either into memory whatever its size.</li>
 * <li>The raw bytes of the PAX extended header that precede an entry are kept: Commons Compress
 * decodes PAX values as UTF-8 strings, which mangles binary xattr values ({@code
 * security.capability}) and names that are not UTF-8; {@link PaxRecords} reads them exactly.</li>
 * <li>Names and link names of plain headers are decoded as ISO-8859-1, one char per byte, so that
 * they encode back to the exact bytes.</li>
 * </ul>
 */
final class LayerTarInputStream extends TarArchiveInputStream {
    /** The largest PAX extended header accepted (xattrs included). */
    static final int MAX_PAX_BYTES = 1 << 20;

    private final int maxNameLength;
    private final ByteArrayOutputStream pax = new ByteArrayOutputStream();
    private boolean capturing;
    private byte[] paxData;
    private int depth;

    LayerTarInputStream(InputStream in, int maxNameLength) {
        super(in, 10240, 512, "ISO-8859-1", false);
        this.maxNameLength = maxNameLength;
    }

    /** The next entry; the PAX header bytes that came with it are then {@link #paxData()}. */
    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth == 0) {
            paxData = null;
        }
        depth++;
        try {
            return super.getNextEntry();
        } finally {
            depth--;
        }
    }

    /** The raw data of the PAX extended header of the current entry, or null. */
    byte[] paxData() {
        return paxData;
    }

    @Override
    protected byte[] readRecord() throws IOException {
        if (capturing) {
            paxData = pax.toByteArray();
            capturing = false;
        }
        byte[] record = super.readRecord();
        if (record != null && record.length == 512 && checksumValid(record)) {
            screen(record);
        }
        return record;
    }

    private void screen(byte[] header) {
        byte type = header[156];
        long size = size(header);
        switch (type) {
            case 'x', 'X', 'g' -> {
                if (size > MAX_PAX_BYTES) {
                    throw KeelException.invalid("layer has a PAX extended header of %d bytes, over the limit of %d",
                            size, MAX_PAX_BYTES);
                }
                if (type != 'g') {
                    pax.reset();
                    capturing = true;
                }
            }
            case 'L', 'K' -> {
                if (size > maxNameLength + 1L) {
                    throw KeelException.invalid("layer has a GNU long %s of %d bytes, over the limit of %d bytes "
                            + "(UnpackLimits.maxNameLength)", type == 'L' ? "name" : "link name", size, maxNameLength);
                }
            }
            default -> {
                // data of other entries is streamed, never held
            }
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (capturing && n > 0) {
            pax.write(b, off, n);
        }
        return n;
    }

    /** The size field: octal, or base-256 when the high bit of its first byte is set. */
    static long size(byte[] header) {
        if ((header[124] & 0x80) != 0) {
            long value = 0;
            for (int i = 125; i < 136; i++) {
                if (value > (Long.MAX_VALUE >> 8)) {
                    return Long.MAX_VALUE;
                }
                value = value << 8 | (header[i] & 0xff);
            }
            return value;
        }
        return octal(header, 124, 12);
    }

    static boolean checksumValid(byte[] header) {
        long stored = octal(header, 148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < 512; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored >= 0 && (stored == unsigned || stored == signed);
    }

    private static long octal(byte[] header, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        long value = 0;
        boolean any = false;
        for (; i < end && header[i] >= '0' && header[i] <= '7'; i++) {
            if (value > (Long.MAX_VALUE >> 3)) {
                return Long.MAX_VALUE;
            }
            value = value << 3 | (header[i] - '0');
            any = true;
        }
        return any ? value : -1;
    }
}
