package keel.network.bridge.netlink;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few libc calls the netlink layer needs (Linux, LP64: {@code size_t} and {@code ssize_t} are
 * Java {@code long}). Callers read errno with {@link Native#getLastError()} after a -1 return.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int SOL_NETLINK = 270;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int MSG_TRUNC = 0x20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    int EINTR = 4;

    int socket(int domain, int type, int protocol);

    int bind(int fd, byte[] address, int length);

    int setsockopt(int fd, int level, int name, byte[] value, int length);

    long send(int fd, byte[] buffer, long length, int flags);

    long recv(int fd, byte[] buffer, long length, int flags);

    int open(String path, int flags);

    int close(int fd);

    int setns(int fd, int nstype);

    String strerror(int errnum);
}
