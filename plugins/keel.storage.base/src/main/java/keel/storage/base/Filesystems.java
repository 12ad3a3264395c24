package keel.storage.base;

import com.sun.jna.Memory;

import java.nio.file.Path;

/** The type of filesystem a path is on, from {@code statfs(2)}'s magic number. */
public final class Filesystems {
    private Filesystems() {
    }

    /** {@code ext4}, {@code xfs}, {@code tmpfs}, ... or {@code 0x...} for a magic number not known here. */
    public static String type(Path path) throws NativeIOException {
        Memory buf = Libc.buffer(256);
        if (Libc.statfs(Libc.cstr(path), buf) != 0) {
            throw NativeIOException.last("statfs", path.toString());
        }
        return name(buf.getLong(0));
    }

    static String name(long magic) {
        return switch ((int) magic) {
            case 0xEF53 -> "ext4"; // ext2/3/4 share the magic number
            case 0x58465342 -> "xfs";
            case 0x9123683E -> "btrfs";
            case 0x01021994 -> "tmpfs";
            case 0x794C7630 -> "overlay";
            case 0x2FC12FC1 -> "zfs";
            case 0xF2F52010 -> "f2fs";
            case 0x6969 -> "nfs";
            case 0x65735546 -> "fuse";
            case 0x73717368 -> "squashfs";
            case 0xE0F5E1E2 -> "erofs";
            case 0x4D44 -> "vfat";
            case 0x858458F6 -> "ramfs";
            case 0xFF534D42 -> "cifs";
            case 0x5346544E -> "ntfs";
            case 0xCA451A4E -> "bcachefs";
            default -> "0x" + Long.toHexString(magic & 0xffffffffL);
        };
    }
}
