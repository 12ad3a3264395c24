package keel.layer.tar;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** libc calls that only the tests need: listing and setting xattrs on paths. */
final class TestLibC {
    static {
        Native.register(TestLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private TestLibC() {
    }

    static native long llistxattr(byte[] path, byte[] list, long size);

    static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

    static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags);

    static native int geteuid();

    static byte[] z(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    static void setXattr(Path path, String name, byte[] value) {
        if (lsetxattr(z(path.toString()), z(name), value, value.length, 0) != 0) {
            throw new IllegalStateException("lsetxattr " + path + " " + name + ": errno " + Native.getLastError());
        }
    }

    /** name -> hex value of every xattr of {@code path}, not following it. */
    static TreeMap<String, String> xattrs(Path path) {
        TreeMap<String, String> out = new TreeMap<>();
        byte[] p = z(path.toString());
        byte[] list = new byte[65536];
        long n = llistxattr(p, list, list.length);
        if (n <= 0) {
            return out;
        }
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] == 0) {
                String name = new String(list, start, i - start, StandardCharsets.UTF_8);
                byte[] value = new byte[65536];
                long size = lgetxattr(p, z(name), value, value.length);
                out.put(name, size < 0 ? "?" : java.util.HexFormat.of().formatHex(value, 0, (int) size));
                start = i + 1;
            }
        }
        return out;
    }
}
