package keel.layer.tar;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** What {@code statx(2)} says about one file, never following a final symlink; for the tar writer. */
record FileInfo(int mode, int uid, int gid, long nlink, long ino, long size, long mtimeSec, int mtimeNsec,
        int rdevMajor, int rdevMinor, int devMajor, int devMinor, long mountId) {
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final byte[] EMPTY_Z = {0};

    /** {@code name} in {@code dirfd}; an empty name is {@code dirfd} itself. Null if it does not exist. */
    static FileInfo at(int dirfd, byte[] nameZ) {
        byte[] buffer = new byte[LibC.STATX_BUFFER];
        boolean self = nameZ.length <= 1;
        int flags = LibC.AT_SYMLINK_NOFOLLOW | (self ? LibC.AT_EMPTY_PATH : 0);
        if (LibC.statx(dirfd, self ? EMPTY_Z : nameZ, flags, STATX_BASIC_STATS | LibC.STATX_MNT_ID, buffer) < 0) {
            int errno = LibC.errno();
            if (errno == LibC.ENOENT) {
                return null;
            }
            throw new SysError("statx", RootDir.show(nameZ), errno);
        }
        ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
        long mountId = (b.getInt(0) & LibC.STATX_MNT_ID) != 0 ? b.getLong(LibC.STATX_MNT_ID_OFFSET) : -1;
        return new FileInfo(b.getShort(28) & 0xffff, b.getInt(20), b.getInt(24), b.getInt(16) & 0xffffffffL,
                b.getLong(32), b.getLong(40), b.getLong(112), b.getInt(120), b.getInt(128), b.getInt(132),
                b.getInt(136), b.getInt(140), mountId);
    }

    int type() {
        return mode & LibC.S_IFMT;
    }

    boolean isDirectory() {
        return type() == LibC.S_IFDIR;
    }

    boolean isRegular() {
        return type() == LibC.S_IFREG;
    }

    /** Whether this is on another mount than {@code root} (a running container's /proc, a bind-mounted file). */
    boolean otherMount(FileInfo root) {
        if (mountId >= 0 && root.mountId >= 0) {
            return mountId != root.mountId;
        }
        return false;
    }
}
