package keel.isolation.linux.shim;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one message Java writes to {@code keel-shim}'s stdin: what to run and how to isolate it.
 * One method per record kind. Repeatable records (mounts, masks, devices, args, env, ...) keep
 * the order of the calls; calling a single-valued one again replaces its value, so defaults can
 * be set first and overridden. Binary, big-endian: {@code "KEEL"}, u16 version, then records {@code u16 tag, u32
 * length, payload} up to END; strings are UTF-8 without NUL, several in a record NUL-separated.
 * The shim rejects what it does not know, so a record added here needs the C side too
 * ({@code src/main/c/message.c}).
 */
public final class ShimMessage {

    public static final int VERSION = 1;

    /** Record tags (the shim's {@code enum tag}). */
    static final int MODE = 1, ID = 2, ROOTFS = 3, ROOTFS_MOUNT = 4, MOUNT = 5, MASK = 6, READONLY = 7,
            DEVICE = 8, HOSTNAME = 9, ARG = 10, ENV = 11, CWD = 12, UID = 13, GID = 14, ADDGID = 15,
            CAPS = 16, RLIMIT = 17, NO_NEW_PRIVS = 18, SECCOMP = 19, NAMESPACES = 20, JOIN_NS = 21,
            TTY = 22, OPEN_STDIN = 23, LOG = 24, STATE_DIR = 25, SYSCTL = 26, ROOTFS_READONLY = 27,
            INIT = 28, END = 29;

    /** Start a new container, or a process in a running one. */
    public enum Mode { RUN, EXEC }

    private static final Set<Integer> REPEATABLE =
            Set.of(ROOTFS_MOUNT, MOUNT, MASK, READONLY, DEVICE, ARG, ENV, ADDGID, RLIMIT, JOIN_NS, SYSCTL);

    private record Record(int tag, byte[] payload) {
    }

    private final List<Record> records = new ArrayList<>();

    public ShimMessage mode(Mode mode) {
        return record(MODE, new byte[] { (byte) mode.ordinal() });
    }

    /** The container id, used in messages. */
    public ShimMessage id(String id) {
        return string(ID, id);
    }

    /** Host path of the directory that becomes the container's {@code /}. */
    public ShimMessage rootfs(String hostPath) {
        return string(ROOTFS, hostPath);
    }

    /** A mount made onto the rootfs path before anything else (e.g. the snapshotter's overlay). */
    public ShimMessage rootfsMount(long flags, String type, String source, String data) {
        return record(ROOTFS_MOUNT, concat(u64(flags), strings(type, source, data)));
    }

    /**
     * A mount inside the container, made in order after the rootfs; {@code flags} are
     * {@code MS_*} ({@link LinuxAbi}); with {@code MS_BIND} the source is a host path.
     */
    public ShimMessage mount(long flags, String destination, String type, String source, String data) {
        return record(MOUNT, concat(u64(flags), strings(destination, type, source, data)));
    }

    public ShimMessage mask(String path) {
        return string(MASK, path);
    }

    public ShimMessage readonly(String path) {
        return string(READONLY, path);
    }

    /** A device node: {@code type} is 'c' or 'b'. */
    public ShimMessage device(String path, char type, int major, int minor, int mode, int uid, int gid) {
        ByteBuffer b = ByteBuffer.allocate(21).put((byte) type).putInt(major).putInt(minor).putInt(mode)
                .putInt(uid).putInt(gid);
        return record(DEVICE, concat(strings(path), new byte[] { 0 }, b.array()));
    }

    public ShimMessage hostname(String hostname) {
        return string(HOSTNAME, hostname);
    }

    /** One argument; the first is looked up in the PATH of {@link #env} when it has no '/'. */
    public ShimMessage arg(String arg) {
        return string(ARG, arg);
    }

    public ShimMessage args(Iterable<String> args) {
        args.forEach(this::arg);
        return this;
    }

    /** {@code KEY=VALUE}. */
    public ShimMessage env(String entry) {
        return string(ENV, entry);
    }

    public ShimMessage env(Iterable<String> entries) {
        entries.forEach(this::env);
        return this;
    }

    public ShimMessage cwd(String cwd) {
        return string(CWD, cwd);
    }

    public ShimMessage uid(int uid) {
        return record(UID, u32(uid));
    }

    public ShimMessage gid(int gid) {
        return record(GID, u32(gid));
    }

    public ShimMessage additionalGid(int gid) {
        return record(ADDGID, u32(gid));
    }

    /** The five capability sets as bit masks ({@link LinuxAbi#capabilities}). */
    public ShimMessage capabilities(long bounding, long effective, long inheritable, long permitted, long ambient) {
        return record(CAPS, concat(u64(bounding), u64(effective), u64(inheritable), u64(permitted), u64(ambient)));
    }

    /** {@code resource} is an {@code RLIMIT_*} number ({@link LinuxAbi#rlimit}). */
    public ShimMessage rlimit(int resource, long soft, long hard) {
        return record(RLIMIT, concat(u32(resource), u64(soft), u64(hard)));
    }

    public ShimMessage noNewPrivileges(boolean on) {
        return flag(NO_NEW_PRIVS, on);
    }

    /** A classic BPF program: {@code struct sock_filter}s, 8 bytes each, little-endian. */
    public ShimMessage seccomp(byte[] program) {
        return record(SECCOMP, program.clone());
    }

    /** {@code CLONE_NEW*} flags of the namespaces to create. */
    public ShimMessage namespaces(int cloneFlags) {
        return record(NAMESPACES, u32(cloneFlags));
    }

    /** A namespace to join: {@code type} ipc, uts, net, pid, mnt or cgroup; {@code path} e.g. /proc/PID/ns/net. */
    public ShimMessage joinNamespace(String type, String path) {
        return record(JOIN_NS, strings(type, path));
    }

    public ShimMessage tty(boolean on) {
        return flag(TTY, on);
    }

    public ShimMessage openStdin(boolean on) {
        return flag(OPEN_STDIN, on);
    }

    /** The json-file log the shim appends the container's output to. */
    public ShimMessage log(String path) {
        return string(LOG, path);
    }

    /** Where the shim keeps attach.sock, exit.json and shim.pid. */
    public ShimMessage stateDir(String path) {
        return string(STATE_DIR, path);
    }

    public ShimMessage sysctl(String key, String value) {
        return record(SYSCTL, strings(key, value));
    }

    public ShimMessage rootfsReadonly(boolean on) {
        return flag(ROOTFS_READONLY, on);
    }

    /** PID 1 is the shim's minimal init, which runs the command, forwards signals and reaps. */
    public ShimMessage init(boolean on) {
        return flag(INIT, on);
    }

    /** The message: header, the records so far, END. */
    public byte[] encode() {
        ByteBuffer header = ByteBuffer.allocate(6).put("KEEL".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) VERSION);
        byte[] end = ByteBuffer.allocate(6).putShort((short) END).putInt(0).array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.array());
        for (Record r : records) {
            out.writeBytes(ByteBuffer.allocate(6).putShort((short) r.tag()).putInt(r.payload().length).array());
            out.writeBytes(r.payload());
        }
        out.writeBytes(end);
        return out.toByteArray();
    }

    private ShimMessage record(int tag, byte[] payload) {
        Record r = new Record(tag, payload);
        if (!REPEATABLE.contains(tag)) {
            for (int i = 0; i < records.size(); i++) {
                if (records.get(i).tag() == tag) {
                    records.set(i, r);
                    return this;
                }
            }
        }
        records.add(r);
        return this;
    }

    private ShimMessage string(int tag, String s) {
        return record(tag, strings(s));
    }

    private ShimMessage flag(int tag, boolean on) {
        return record(tag, new byte[] { (byte) (on ? 1 : 0) });
    }

    private static byte[] strings(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < strings.length; i++) {
            if (strings[i].indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a NUL in a string for keel-shim: " + strings[i].replace('\0', '@'));
            }
            if (i > 0) {
                out.write(0);
            }
            out.writeBytes(strings[i].getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
