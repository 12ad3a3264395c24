package keel.network.bridge.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Native;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket in the network namespace of the thread that
 * opens it (a netlink socket stays in the namespace it was created in, whichever thread uses it
 * later). Requests are answered synchronously: {@link #execute} waits for the kernel's
 * acknowledgement, {@link #dump} collects a multi-part reply. An {@code NLMSG_ERROR} becomes a
 * {@link KeelException} naming the operation, the errno and the kernel's extended-ack message.
 * Not thread-safe: one user at a time.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int RECEIVE_SIZE = 64 * 1024;
    private static final int TIMEOUT_SECONDS = 10;

    private final int fd;
    private final byte[] receive = new byte[RECEIVE_SIZE];
    private int sequence = (int) (System.nanoTime() & 0x3fffffff);

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens a socket in the calling thread's current network namespace. */
    public static NetlinkSocket open() {
        LibC libc = LibC.INSTANCE;
        int fd = libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        if (fd < 0) {
            throw Errno.exception("open an rtnetlink socket", Native.getLastError(), null);
        }
        try {
            byte[] address = new byte[12]; // sockaddr_nl: family, pad, port id 0 (kernel assigns), groups 0
            ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).putShort((short) LibC.AF_NETLINK);
            if (libc.bind(fd, address, address.length) < 0) {
                throw Errno.exception("bind an rtnetlink socket", Native.getLastError(), null);
            }
            // Errors echo only the header of the failed request, plus the kernel's text (extended ack).
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            byte[] timeout = new byte[16]; // struct timeval: a kernel that never answers is an error, not a hang
            ByteBuffer.wrap(timeout).order(ByteOrder.nativeOrder()).putLong(TIMEOUT_SECONDS).putLong(0);
            libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeout, timeout.length);
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** Sends a request that changes something and waits for its acknowledgement. */
    public void execute(String operation, NlMessage request) {
        int seq = send(operation, request, Rtnl.NLM_F_ACK);
        receiveUntil(operation, seq, null);
    }

    /** Sends a dump request and returns every reply message (each from its {@code nlmsghdr}). */
    public List<ByteBuffer> dump(String operation, NlMessage request) {
        int seq = send(operation, request, Rtnl.NLM_F_DUMP);
        List<ByteBuffer> replies = new ArrayList<>();
        receiveUntil(operation, seq, replies);
        return replies;
    }

    /** Sends a get request for one object and returns the reply (from its {@code nlmsghdr}). */
    public ByteBuffer get(String operation, NlMessage request) {
        int seq = send(operation, request, 0);
        List<ByteBuffer> replies = new ArrayList<>();
        receiveUntil(operation, seq, replies);
        if (replies.isEmpty()) {
            throw new KeelException(ErrorKind.INTERNAL, operation + " failed: the kernel sent no answer");
        }
        return replies.get(0);
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }

    private int send(String operation, NlMessage request, int extraFlags) {
        int seq = ++sequence;
        byte[] bytes = request.bytes(seq);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        header.putShort(6, (short) (header.getShort(6) | extraFlags));
        long sent;
        do {
            sent = LibC.INSTANCE.send(fd, bytes, bytes.length, 0);
        } while (sent < 0 && Native.getLastError() == LibC.EINTR);
        if (sent < 0) {
            throw Errno.exception(operation + " (send)", Native.getLastError(), null);
        }
        return seq;
    }

    /**
     * Reads messages of {@code seq} until the acknowledgement, {@code NLMSG_DONE}, or (for a
     * get, where {@code NLM_F_ACK} is not asked) the first reply; others are stale and skipped.
     */
    private void receiveUntil(String operation, int seq, List<ByteBuffer> replies) {
        while (true) {
            long received = LibC.INSTANCE.recv(fd, receive, receive.length, LibC.MSG_TRUNC);
            if (received < 0) {
                int errno = Native.getLastError();
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw Errno.exception(operation + " (receive)", errno, null);
            }
            if (received > receive.length) {
                throw new KeelException(ErrorKind.INTERNAL, operation + " failed: a reply of " + received
                        + " bytes did not fit the " + receive.length + "-byte buffer");
            }
            ByteBuffer buffer = ByteBuffer.wrap(receive, 0, (int) received).order(ByteOrder.nativeOrder());
            int at = 0;
            while (at + Rtnl.NLMSG_HDRLEN <= received) {
                int length = buffer.getInt(at);
                int type = buffer.getShort(at + 4) & 0xffff;
                int flags = buffer.getShort(at + 6) & 0xffff;
                int messageSeq = buffer.getInt(at + 8);
                if (length < Rtnl.NLMSG_HDRLEN || at + length > received) {
                    throw new KeelException(ErrorKind.INTERNAL, operation + " failed: a malformed netlink reply");
                }
                if (messageSeq == seq) {
                    if (type == Rtnl.NLMSG_ERROR) {
                        int error = -buffer.getInt(at + Rtnl.NLMSG_HDRLEN);
                        if (error != 0) {
                            throw Errno.exception(operation, error, extendedAck(buffer, at, length, flags));
                        }
                        return; // the acknowledgement
                    }
                    if (type == Rtnl.NLMSG_DONE) {
                        return;
                    }
                    if (replies != null) {
                        replies.add(copy(buffer, at, length));
                    }
                    if (replies != null && (flags & Rtnl.NLM_F_MULTI) == 0) {
                        return; // a get: one reply, no acknowledgement asked
                    }
                }
                at += Rtnl.align(length);
            }
        }
    }

    /** The kernel's message in an error with NLM_F_ACK_TLVS (the request's header is echoed, capped). */
    private static String extendedAck(ByteBuffer buffer, int at, int length, int flags) {
        if ((flags & Rtnl.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int attrs = at + Rtnl.NLMSG_HDRLEN + 4 + Rtnl.NLMSG_HDRLEN;
        return NlAttrs.parse(buffer, attrs, at + length).string(Rtnl.NLMSGERR_ATTR_MSG);
    }

    private static ByteBuffer copy(ByteBuffer buffer, int at, int length) {
        byte[] bytes = new byte[length];
        buffer.duplicate().position(at).get(bytes);
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    private static void setInt(int fd, int level, int name, int value) {
        byte[] bytes = new byte[4];
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(value);
        LibC.INSTANCE.setsockopt(fd, level, name, bytes, bytes.length);
    }
}
