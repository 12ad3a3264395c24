package keel.layer.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a tree holds, one line per path: type, mode, uid, gid, size, sha256, link target, device,
 * mtime, xattrs and which paths share an inode. Two trees unpacked from one layer must give equal
 * manifests.
 */
final class Manifest {
    private Manifest() {
    }

    static TreeMap<String, String> of(Path root) throws IOException {
        TreeMap<String, String> lines = new TreeMap<>();
        Map<Object, String> inodes = new HashMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
                if (path.equals(root)) {
                    continue;
                }
                String name = root.relativize(path).toString();
                Map<String, Object> a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String type = switch (mode & 0170000) {
                    case 0040000 -> "dir";
                    case 0100000 -> "file";
                    case 0120000 -> "symlink";
                    case 0020000 -> "chr";
                    case 0060000 -> "blk";
                    case 0010000 -> "fifo";
                    default -> "other";
                };
                StringBuilder line = new StringBuilder(type);
                line.append(" mode=").append(Integer.toOctalString(mode & 07777));
                line.append(" uid=").append(a.get("uid")).append(" gid=").append(a.get("gid"));
                if (type.equals("file")) {
                    line.append(" size=").append(a.get("size")).append(" sha256=").append(sha256(path));
                    int nlink = (Integer) a.get("nlink");
                    if (nlink > 1) {
                        String first = inodes.putIfAbsent(a.get("ino"), name);
                        line.append(" links=").append(nlink).append(" inode-of=").append(first == null ? name : first);
                    }
                }
                if (type.equals("symlink")) {
                    line.append(" target=").append(Files.readSymbolicLink(path));
                }
                if (type.equals("chr") || type.equals("blk")) {
                    line.append(" rdev=").append(a.get("rdev"));
                }
                line.append(" mtime=").append(((FileTime) a.get("lastModifiedTime")).toInstant());
                line.append(" xattrs=").append(TestLibC.xattrs(path));
                lines.put(name, line.toString());
            }
        }
        return lines;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0;) {
                md.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
