package keel.layer.tar;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import com.sun.jna.Pointer;

/**
 * The one way the unpacker touches the file system: a directory opened once, inside which every
 * path is resolved by the kernel without leaving it, and every change made relative to a resolved
 * directory descriptor.
 *
 * <p>Directories are resolved with {@code openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)}: a
 * symlink met on the way is followed as if the root were {@code /} (containerd's {@code
 * fs.RootPath} semantics, so an image's {@code lib -> usr/lib} works), and {@code ..} never climbs
 * above the root. Where the kernel has no openat2 (before 5.6), the same semantics are emulated by a
 * walk of {@code O_PATH | O_NOFOLLOW} descriptors, one component at a time, reading each symlink and
 * re-walking its target from the root, with {@code ..} popping a descriptor (never opening
 * {@code ..}). The last component of an entry is never followed: it is created, replaced or changed
 * with the {@code *at} call on its parent's descriptor and {@code O_NOFOLLOW} or
 * {@code AT_SYMLINK_NOFOLLOW}.
 *
 * <p>Resolved directories are cached (a small LRU) because tar entries come grouped by directory;
 * any removal of a directory or symlink clears the cache, since only a removal can change what a
 * resolved path means.
 */
final class RootDir implements AutoCloseable {
    private static final int CACHE_SIZE = 32;
    private static final int MAX_SYMLINKS = 40;
    private static final byte[] EMPTY_Z = {0};

    /** Whether this kernel has openat2 (probed once). */
    static final boolean OPENAT2_AVAILABLE = probeOpenat2();

    private final int root;
    private final boolean useOpenat2;
    private final byte[] statx = new byte[LibC.STATX_BUFFER];
    private final long[] how = new long[3];
    /** Descriptors dropped from the cache during an entry; closed when the next entry begins. */
    private final java.util.List<Integer> retired = new java.util.ArrayList<>();
    private final Map<String, Integer> cache = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            if (size() > CACHE_SIZE) {
                retired.add(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    private RootDir(int root, boolean useOpenat2) {
        this.root = root;
        this.useOpenat2 = useOpenat2;
    }

    /** Opens {@code target} (a trusted path, from the caller) as the root. */
    static RootDir open(Path target, boolean useOpenat2) {
        byte[] path = z(target.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        int fd = SysError.check(LibC.openat(LibC.AT_FDCWD, path, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0),
                "open", target.toString());
        return new RootDir(fd, useOpenat2 && OPENAT2_AVAILABLE);
    }

    boolean usesOpenat2() {
        return useOpenat2;
    }

    int rootFd() {
        return root;
    }

    /** Closes the descriptors retired while the previous entry was applied. */
    void beginEntry() {
        if (!retired.isEmpty()) {
            for (int fd : retired) {
                LibC.close(fd);
            }
            retired.clear();
        }
    }

    /**
     * The directory {@code dir} inside the root, as an {@code O_PATH} descriptor owned by this
     * object (valid until the next {@link #beginEntry()}; never close it). With {@code create}, missing
     * directories are made (0755, as containerd's {@code MkdirAll}).
     */
    int dir(EntryPath dir, boolean create) {
        if (dir.isRoot()) {
            return root;
        }
        String key = dir.key();
        Integer cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] pathZ = z(dir.bytes());
        int fd = useOpenat2 ? openat2Dir(pathZ) : walkDir(pathZ, false);
        if (fd == -LibC.EAGAIN) {
            // openat2 kept failing on a '..' while other mounts or renames happened on the host (it
            // retries only when the global mount and rename counters stand still): the walk has the
            // same semantics and no such limit
            fd = walkDir(pathZ, false);
        }
        if (fd == -LibC.ENOENT && create) {
            // as containerd's MkdirAll on the path resolved in the root: what is missing is made,
            // also where a symlink inside the root points to a directory that does not exist yet
            fd = walkDir(pathZ, true);
        }
        if (fd < 0) {
            throw new SysError("resolve", dir.toString(), -fd);
        }
        cache.put(key, fd);
        return fd;
    }

    /**
     * Forgets every resolved directory; called after a directory or symlink was removed. The
     * descriptors stay open until the next entry, since the caller may still hold one.
     */
    void invalidate() {
        retired.addAll(cache.values());
        cache.clear();
    }

    private int openat2Dir(byte[] pathZ) {
        how[0] = LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC;
        how[1] = 0;
        how[2] = LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS;
        for (int attempt = 0;; attempt++) {
            long fd = LibC.syscall(LibC.SYS_OPENAT2, root, pathZ, how, 24);
            if (fd >= 0) {
                return (int) fd;
            }
            int errno = LibC.errno();
            // EAGAIN: a concurrent rename somewhere made the kernel unsure about a "..": retry
            if ((errno != LibC.EAGAIN && errno != LibC.EINTR) || attempt > 64) {
                return -errno;
            }
        }
    }

    /**
     * The openat2 semantics without openat2: one component at a time with {@code O_PATH |
     * O_NOFOLLOW}; a symlink's target is read and walked from the root (absolute) or from its
     * directory (relative); {@code ..} pops a descriptor, and at the root stays at the root. With
     * {@code create}, a missing component is made (0755) where the walk has got to.
     */
    private int walkDir(byte[] pathZ, boolean create) {
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        ArrayDeque<byte[]> pending = new ArrayDeque<>();
        pushComponents(pending, pathZ, pathZ.length - 1);
        int links = 0;
        try {
            while (!pending.isEmpty()) {
                byte[] component = pending.pop();
                if (component.length == 2 && component[0] == '.') { // "." terminated
                    continue;
                }
                if (component.length == 3 && component[0] == '.' && component[1] == '.') {
                    if (!stack.isEmpty()) {
                        LibC.close(stack.pop());
                    }
                    continue;
                }
                int top = stack.isEmpty() ? root : stack.peek();
                int fd = LibC.openat(top, component, LibC.O_PATH | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                if (fd < 0 && create && LibC.errno() == LibC.ENOENT) {
                    if (LibC.mkdirat(top, component, 0755) == 0) {
                        // exactly 0755 whatever the daemon's umask, as an image expects of an implied directory
                        LibC.fchmodat(top, component, 0755, LibC.AT_SYMLINK_NOFOLLOW);
                    } else if (LibC.errno() != LibC.EEXIST) {
                        return -LibC.errno();
                    }
                    fd = LibC.openat(top, component, LibC.O_PATH | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                }
                if (fd < 0) {
                    return -LibC.errno();
                }
                int mode = statMode(fd, EMPTY_Z, LibC.AT_EMPTY_PATH);
                if ((mode & LibC.S_IFMT) == LibC.S_IFDIR) {
                    stack.push(fd);
                    continue;
                }
                if ((mode & LibC.S_IFMT) != LibC.S_IFLNK) {
                    LibC.close(fd);
                    return -LibC.ENOTDIR;
                }
                if (++links > MAX_SYMLINKS) {
                    LibC.close(fd);
                    return -LibC.ELOOP;
                }
                byte[] target = new byte[4097];
                long n = LibC.readlinkat(fd, EMPTY_Z, target, target.length - 1);
                LibC.close(fd);
                if (n < 0) {
                    return -LibC.errno();
                }
                if (n > 0 && target[0] == '/') {
                    while (!stack.isEmpty()) {
                        LibC.close(stack.pop());
                    }
                }
                pushComponents(pending, target, (int) n);
            }
            return stack.isEmpty() ? LibC.dup(root) : stack.pop();
        } finally {
            while (!stack.isEmpty()) {
                LibC.close(stack.pop());
            }
        }
    }

    /** Pushes the components of {@code path[0..length)} so that the first is on top. */
    private static void pushComponents(ArrayDeque<byte[]> pending, byte[] path, int length) {
        int end = length;
        while (end > 0) {
            int start = end;
            while (start > 0 && path[start - 1] != '/') {
                start--;
            }
            if (end > start) {
                byte[] component = new byte[end - start + 1];
                System.arraycopy(path, start, component, 0, end - start);
                pending.push(component);
            }
            end = start - 1;
        }
    }

    /** The st_mode of {@code name} in {@code dirfd} without following it, or 0 when it does not exist. */
    int statMode(int dirfd, byte[] nameZ, int extraFlags) {
        int rc = LibC.statx(dirfd, nameZ, LibC.AT_SYMLINK_NOFOLLOW | extraFlags, LibC.STATX_TYPE | LibC.STATX_MODE,
                statx);
        if (rc < 0) {
            int errno = LibC.errno();
            if (errno == LibC.ENOENT) {
                return 0;
            }
            throw new SysError("statx", new String(nameZ, 0, nameZ.length - 1, StandardCharsets.UTF_8), errno);
        }
        return (statx[LibC.STATX_MODE_OFFSET] & 0xff) | (statx[LibC.STATX_MODE_OFFSET + 1] & 0xff) << 8;
    }

    /**
     * Removes {@code name} in {@code dirfd} and, for a directory, everything in it, without
     * following any symlink. Clears the directory cache when a directory or symlink goes.
     */
    void removeAll(int dirfd, byte[] nameZ, int mode) {
        int type = mode & LibC.S_IFMT;
        if (type != LibC.S_IFDIR) {
            if (LibC.unlinkat(dirfd, nameZ, 0) < 0 && LibC.errno() != LibC.ENOENT) {
                throw new SysError("unlinkat", show(nameZ), LibC.errno());
            }
            if (type == LibC.S_IFLNK) {
                invalidate();
            }
            return;
        }
        invalidate();
        emptyDir(dirfd, nameZ, null, null);
        if (LibC.unlinkat(dirfd, nameZ, LibC.AT_REMOVEDIR) < 0 && LibC.errno() != LibC.ENOENT) {
            throw new SysError("unlinkat", show(nameZ), LibC.errno());
        }
    }

    /**
     * Removes what is in directory {@code name} of {@code dirfd}, except the paths {@code keep}
     * accepts (paths relative to the root, {@code prefix} being the directory's own), whose
     * directories are descended into instead. With {@code keep == null} everything goes.
     */
    void emptyDir(int dirfd, byte[] nameZ, byte[] prefix, Predicate<byte[]> keep) {
        int fd = LibC.openat(dirfd, nameZ, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = LibC.errno();
            if (errno == LibC.ENOENT) {
                return;
            }
            throw new SysError("openat", show(nameZ), errno);
        }
        invalidate();
        try {
            // the whole listing is read before anything is removed
            for (byte[] child : list(fd)) {
                int mode = statMode(fd, child, 0);
                if (mode == 0) {
                    continue;
                }
                if (keep != null) {
                    byte[] childPath = join(prefix, child);
                    if (keep.test(childPath)) {
                        if ((mode & LibC.S_IFMT) == LibC.S_IFDIR) {
                            emptyDir(fd, child, childPath, keep);
                        }
                        continue;
                    }
                }
                removeAll(fd, child, mode);
            }
        } finally {
            LibC.close(fd);
        }
    }

    /** The names in an open directory (a dup of {@code fd} is consumed), NUL-terminated, without . and .. */
    static java.util.List<byte[]> list(int fd) {
        int copy = SysError.check(LibC.dup(fd), "dup", "directory");
        Pointer dir = LibC.fdopendir(copy);
        if (dir == null) {
            int errno = LibC.errno();
            LibC.close(copy);
            throw new SysError("fdopendir", "directory", errno);
        }
        java.util.List<byte[]> names = new java.util.ArrayList<>();
        try {
            for (Pointer entry = LibC.readdir(dir); entry != null; entry = LibC.readdir(dir)) {
                // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
                byte[] name = entry.getByteArray(19, 256);
                int length = 0;
                while (length < name.length && name[length] != 0) {
                    length++;
                }
                if (length == 1 && name[0] == '.' || length == 2 && name[0] == '.' && name[1] == '.') {
                    continue;
                }
                names.add(Arrays.copyOf(name, length + 1));
            }
        } finally {
            LibC.closedir(dir);
        }
        return names;
    }

    private static byte[] join(byte[] prefix, byte[] childZ) {
        int childLength = childZ.length - 1;
        if (prefix == null || prefix.length == 0) {
            return Arrays.copyOf(childZ, childLength);
        }
        byte[] out = Arrays.copyOf(prefix, prefix.length + 1 + childLength);
        out[prefix.length] = '/';
        System.arraycopy(childZ, 0, out, prefix.length + 1, childLength);
        return out;
    }

    /**
     * Sets an extended attribute on {@code name} in {@code dirfd} without following it: through
     * {@code /proc/self/fd/DIRFD/NAME}, where the kernel jumps to the directory the descriptor
     * holds and {@code lsetxattr} leaves the last component unfollowed. (Used for symlinks, devices
     * and fifos, which cannot be opened for fsetxattr without side effects.)
     */
    static int lsetxattrAt(int dirfd, byte[] nameZ, byte[] key, byte[] value) {
        byte[] prefix = ("/proc/self/fd/" + dirfd + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] path = Arrays.copyOf(prefix, prefix.length + nameZ.length);
        System.arraycopy(nameZ, 0, path, prefix.length, nameZ.length);
        return LibC.lsetxattr(path, key, value, value.length, 0);
    }

    @Override
    public void close() {
        invalidate();
        beginEntry();
        LibC.close(root);
    }

    static byte[] z(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    static String show(byte[] nameZ) {
        int length = nameZ.length > 0 && nameZ[nameZ.length - 1] == 0 ? nameZ.length - 1 : nameZ.length;
        return new String(nameZ, 0, length, StandardCharsets.UTF_8);
    }

    private static boolean probeOpenat2() {
        if (!LibC.ARCH_SUPPORTED) {
            return false;
        }
        long[] how = {LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0, LibC.RESOLVE_IN_ROOT};
        long fd = LibC.syscall(LibC.SYS_OPENAT2, LibC.AT_FDCWD, new byte[] {'/', 0}, how, 24);
        if (fd >= 0) {
            LibC.close((int) fd);
            return true;
        }
        return false;
    }
}
