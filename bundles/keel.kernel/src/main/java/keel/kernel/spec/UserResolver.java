package keel.kernel.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import keel.api.KeelException;
import keel.api.runtime.User;

/**
 * Resolves {@code -u name|uid[:group|gid]} from the container's /etc/passwd and /etc/group, as
 * docker does: all-digit values are ids and never looked up (a user named "1000" cannot take over
 * uid 1000's meaning); the files are read without following symlinks out of the root, and at most
 * {@link #MAX_FILE} bytes of each (a huge /etc/group is an error, not a stall).
 */
public final class UserResolver {
    static final int MAX_FILE = 4 << 20;

    /** A user as the container's files know it: ids, home, supplementary groups. */
    public record Resolved(User user, String home) {
    }

    private UserResolver() {
    }

    public static Resolved resolve(String spec, Path rootfs) {
        return resolve(spec, name -> readEtc(rootfs, name));
    }

    /** Resolves with the container's /etc files given by {@code etc} (name -> content, empty if missing). */
    public static Resolved resolve(String spec, java.util.function.Function<String, Optional<byte[]>> etc) {
        String user = spec == null || spec.isEmpty() ? "0" : spec;
        String group = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            group = user.substring(colon + 1);
            user = user.substring(0, colon);
        }
        List<String[]> passwd = parse(etc.apply("passwd"));
        List<String[]> groups = parse(etc.apply("group"));
        String[] entry = isId(user) ? find(passwd, 2, user) : find(passwd, 0, user);
        if (entry == null && !isId(user)) {
            throw KeelException.invalid("unable to find user %s: no matching entries in the container's /etc/passwd",
                    user);
        }
        int uid = entry != null ? parseId(entry[2], "uid of " + user) : parseId(user, "-u");
        int gid = entry != null ? parseId(entry[3], "gid of " + user) : 0;
        String home = entry != null && entry.length > 5 && !entry[5].isEmpty() ? entry[5] : "/";
        if (group != null) {
            String[] g = isId(group) ? null : find(groups, 0, group);
            if (g == null && !isId(group)) {
                throw KeelException.invalid("unable to find group %s: no matching entries in the container's "
                        + "/etc/group", group);
            }
            gid = g != null ? parseId(g[2], "gid of " + group) : parseId(group, "-u");
        }
        List<Integer> additional = new ArrayList<>();
        if (entry != null) {
            for (String[] g : groups) {
                if (g.length > 3 && List.of(g[3].split(",")).contains(entry[0])) {
                    int id = parseId(g[2], "gid of " + g[0]);
                    if (id != gid && !additional.contains(id)) {
                        additional.add(id);
                    }
                }
            }
        }
        return new Resolved(new User(uid, gid, additional), home);
    }

    private static boolean isId(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static int parseId(String s, String what) {
        try {
            long id = Long.parseLong(s);
            if (id < 0 || id > 0xFFFFFFFEL) {
                throw new NumberFormatException();
            }
            return (int) id;
        } catch (NumberFormatException e) {
            throw KeelException.invalid("invalid id '%s' for %s", s, what);
        }
    }

    private static String[] find(List<String[]> entries, int field, String value) {
        for (String[] e : entries) {
            if (e.length > 3 && e[field].equals(value)) {
                return e;
            }
        }
        return null;
    }

    /** The lines of an /etc file split on ':'. */
    private static List<String[]> parse(Optional<byte[]> bytes) {
        List<String[]> entries = new ArrayList<>();
        if (bytes.isPresent()) {
            for (String line : new String(bytes.get(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    entries.add(line.split(":", -1));
                }
            }
        }
        return entries;
    }

    /** /etc/NAME of a root directory, read without following a link out of it; empty if missing. */
    public static Optional<byte[]> readEtc(Path rootfs, String name) {
        Path etc = rootfs.resolve("etc");
        try {
            if (Files.isSymbolicLink(etc)) {
                return Optional.empty(); // never read through a link planted in the image
            }
            return readBounded(etc.resolve(name));
        } catch (IOException e) {
            throw KeelException.invalid("cannot read the container's /etc/%s: %s", name, e.getMessage());
        }
    }

    private static Optional<byte[]> readBounded(Path file) throws IOException {
        try (InputStream in = Channels.newInputStream(Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            byte[] bytes = in.readNBytes(MAX_FILE + 1);
            if (bytes.length > MAX_FILE) {
                throw new IOException("larger than " + (MAX_FILE >> 20) + " MiB");
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.file.FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Too many levels of symbolic links")) {
                return Optional.empty(); // a symlink where the file should be: ignore it, as if missing
            }
            throw e;
        }
    }
}
