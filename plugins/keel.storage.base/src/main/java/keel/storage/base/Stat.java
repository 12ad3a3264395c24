package keel.storage.base;

import com.sun.jna.Memory;

/**
 * What {@code statx(2)} says about one file, without following a final symlink. {@code statx} has
 * the same layout on every architecture, unlike {@code struct stat}.
 */
public record Stat(int mode, int uid, int gid, long nlink, long ino, long size, long blocks, long atimeSec,
        int atimeNsec, long mtimeSec, int mtimeNsec, int rdevMajor, int rdevMinor, int devMajor, int devMinor,
        long mountId) {

    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_MNT_ID = 0x1000;
    private static final int SIZE = 256;

    /** {@code statx(dirfd, name, AT_SYMLINK_NOFOLLOW)}; an empty name stats {@code dirfd} itself. */
    public static Stat at(int dirfd, byte[] name, String subject) throws NativeIOException {
        Memory buf = new Memory(SIZE);
        buf.clear();
        int flags = Libc.AT_SYMLINK_NOFOLLOW | (name.length == 0 ? Libc.AT_EMPTY_PATH : 0);
        if (Libc.statx(dirfd, Libc.cstr(name), flags, STATX_BASIC_STATS | STATX_MNT_ID, buf) != 0) {
            throw NativeIOException.last("statx", subject);
        }
        int mask = buf.getInt(0);
        long mountId = (mask & STATX_MNT_ID) != 0 ? buf.getLong(144) : -1;
        return new Stat(buf.getShort(28) & 0xffff, buf.getInt(20), buf.getInt(24), buf.getInt(16) & 0xffffffffL,
                buf.getLong(32), buf.getLong(40), buf.getLong(48), buf.getLong(64), buf.getInt(72),
                buf.getLong(112), buf.getInt(120), buf.getInt(128), buf.getInt(132), buf.getInt(136),
                buf.getInt(140), mountId);
    }

    public int type() {
        return mode & Libc.S_IFMT;
    }

    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == Libc.S_IFDIR;
    }

    public boolean isRegular() {
        return type() == Libc.S_IFREG;
    }

    public boolean isSymlink() {
        return type() == Libc.S_IFLNK;
    }

    /** The same mount: mount ids where the kernel gives them (bind mounts differ), else devices. */
    public boolean sameMount(Stat other) {
        if (mountId >= 0 && other.mountId >= 0) {
            return mountId == other.mountId;
        }
        return devMajor == other.devMajor && devMinor == other.devMinor;
    }

    /** {@code struct timespec[2]} for {@code utimensat}: access and modification times. */
    public long[] times() {
        return new long[] {atimeSec, atimeNsec, mtimeSec, mtimeNsec};
    }
}
