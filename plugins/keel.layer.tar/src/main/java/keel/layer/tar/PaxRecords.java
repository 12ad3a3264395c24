package keel.layer.tar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import keel.api.KeelException;

/**
 * The records of a PAX extended header, {@code "%d %s=%s\n"}, read as bytes: the path and link
 * path exactly as stored, and the {@code SCHILY.xattr.*} values byte for byte (binary values such
 * as {@code security.capability} included).
 */
final class PaxRecords {
    static final String XATTR_PREFIX = "SCHILY.xattr.";

    byte[] path;
    byte[] linkPath;
    /** xattr name to value, in header order. */
    final Map<String, byte[]> xattrs = new LinkedHashMap<>();

    static PaxRecords parse(byte[] data) {
        PaxRecords records = new PaxRecords();
        int position = 0;
        while (position < data.length) {
            if (data[position] == 0) { // padding some writers leave
                break;
            }
            int lengthEnd = position;
            long length = 0;
            while (lengthEnd < data.length && data[lengthEnd] >= '0' && data[lengthEnd] <= '9') {
                length = length * 10 + (data[lengthEnd] - '0');
                if (length > data.length) {
                    throw malformed();
                }
                lengthEnd++;
            }
            int end = position + (int) length;
            if (lengthEnd == position || lengthEnd >= data.length || data[lengthEnd] != ' ' || end > data.length
                    || end <= lengthEnd + 1 || data[end - 1] != '\n') {
                throw malformed();
            }
            int keyStart = lengthEnd + 1;
            int equals = keyStart;
            while (equals < end - 1 && data[equals] != '=') {
                equals++;
            }
            if (equals >= end - 1) {
                throw malformed();
            }
            String key = new String(data, keyStart, equals - keyStart, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, equals + 1, end - 1);
            switch (key) {
                // an empty value unsets the record: the header's own field counts
                case "path" -> records.path = value.length == 0 ? null : value;
                case "linkpath" -> records.linkPath = value.length == 0 ? null : value;
                default -> {
                    if (key.startsWith(XATTR_PREFIX) && key.length() > XATTR_PREFIX.length()) {
                        records.xattrs.put(key.substring(XATTR_PREFIX.length()), value);
                    }
                }
            }
            position = end;
        }
        return records;
    }

    private static KeelException malformed() {
        return KeelException.invalid("layer has a malformed PAX extended header record");
    }
}
