package keel.layer.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tar streams byte by byte, for layers no well-behaved writer makes: names with NUL, PAX
 * records chosen freely, GNU long names of any size.
 */
final class RawTar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    RawTar file(String name, byte[] content) {
        return entry(name.getBytes(StandardCharsets.UTF_8), '0', "", content, 0644);
    }

    RawTar dir(String name) {
        return entry(name.getBytes(StandardCharsets.UTF_8), '5', "", new byte[0], 0755);
    }

    RawTar symlink(String name, String target) {
        return entry(name.getBytes(StandardCharsets.UTF_8), '2', target, new byte[0], 0777);
    }

    RawTar hardlink(String name, String target) {
        return entry(name.getBytes(StandardCharsets.UTF_8), '1', target, new byte[0], 0644);
    }

    /** A PAX extended header with the given records (each "key=value", values as bytes). */
    RawTar pax(byte[]... records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (byte[] record : records) {
            int length = record.length + 2; // space and newline
            int digits = String.valueOf(length).length();
            length += digits;
            if (String.valueOf(length).length() != digits) {
                length++;
            }
            data.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
            data.writeBytes(record);
            data.write('\n');
        }
        return entry("PaxHeaders/x".getBytes(StandardCharsets.US_ASCII), 'x', "", data.toByteArray(), 0644);
    }

    static byte[] record(String key, byte[] value) {
        byte[] k = (key + "=").getBytes(StandardCharsets.UTF_8);
        byte[] r = new byte[k.length + value.length];
        System.arraycopy(k, 0, r, 0, k.length);
        System.arraycopy(value, 0, r, k.length, value.length);
        return r;
    }

    /** A GNU long-name ('L') header announcing {@code size} bytes, with {@code size} bytes of name. */
    RawTar gnuLongName(byte[] name) {
        return entry("././@LongLink".getBytes(StandardCharsets.US_ASCII), 'L', "", name, 0644);
    }

    RawTar entry(byte[] name, char type, String link, byte[] content, int mode) {
        byte[] header = new byte[512];
        System.arraycopy(name, 0, header, 0, Math.min(name.length, 100));
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, content.length);
        octal(header, 136, 12, 1_700_000_000L);
        header[156] = (byte) type;
        byte[] l = link.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, header, 157, Math.min(l.length, 100));
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        out.writeBytes(header);
        out.writeBytes(content);
        int pad = (512 - content.length % 512) % 512;
        out.writeBytes(new byte[pad]);
        return this;
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        while (s.length() < length - 1) {
            s = "0" + s;
        }
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }

    byte[] bytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }
}
