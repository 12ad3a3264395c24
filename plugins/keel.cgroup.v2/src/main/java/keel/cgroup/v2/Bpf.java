package keel.cgroup.v2;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * bpf(2) for cgroup device programs: load, attach to a cgroup directory with BPF_F_ALLOW_MULTI,
 * query the attached ones, detach. {@code union bpf_attr} is built by offset in a zeroed buffer.
 */
final class Bpf {
    static final int PROG_LOAD = 5;
    static final int PROG_ATTACH = 8;
    static final int PROG_DETACH = 9;
    static final int PROG_GET_FD_BY_ID = 13;
    static final int PROG_QUERY = 16;
    static final int PROG_TYPE_CGROUP_DEVICE = 15;
    static final int ATTACH_CGROUP_DEVICE = 6;
    static final int F_ALLOW_MULTI = 2;

    /** Larger than any field used; the kernel takes a shorter attr than its own as zero-extended. */
    private static final int ATTR_SIZE = 128;
    private static final int LOG_SIZE = 1 << 16;

    private Bpf() {
    }

    private static Memory attr() {
        Memory attr = new Memory(ATTR_SIZE);
        attr.clear();
        return attr;
    }

    private static int call(int command, Memory attr) {
        long number = Libc.sysBpf();
        if (number < 0) {
            throw KeelException.unavailable("no bpf(2) system call number known for %s",
                    System.getProperty("os.arch"));
        }
        return (int) Libc.C.syscall(number, (long) command, attr, (long) ATTR_SIZE);
    }

    /** Loads a cgroup device program; a verifier refusal fails with the verifier's log. */
    static int load(byte[] instructions, String license) {
        Memory code = new Memory(instructions.length);
        code.write(0, instructions, 0, instructions.length);
        byte[] licenseBytes = (license + "\0").getBytes(StandardCharsets.US_ASCII);
        Memory licenseText = new Memory(licenseBytes.length);
        licenseText.write(0, licenseBytes, 0, licenseBytes.length);
        Memory attr = attr();
        attr.setInt(0, PROG_TYPE_CGROUP_DEVICE);
        attr.setInt(4, instructions.length / 8);
        attr.setLong(8, Pointer.nativeValue(code));
        attr.setLong(16, Pointer.nativeValue(licenseText));
        try {
            return call(PROG_LOAD, attr);
        } catch (LastErrorException first) {
            Memory log = new Memory(LOG_SIZE);
            log.clear();
            attr.setInt(24, 1);        // log_level
            attr.setInt(28, LOG_SIZE); // log_size
            attr.setLong(32, Pointer.nativeValue(log));
            try {
                return call(PROG_LOAD, attr);
            } catch (LastErrorException e) {
                throw new KeelException(e.getErrorCode() == Libc.EPERM ? ErrorKind.PERMISSION_DENIED
                        : ErrorKind.INTERNAL, "cannot load the eBPF device program (errno " + e.getErrorCode() + "): "
                        + log.getString(0, "US-ASCII").strip(), e);
            }
        }
    }

    static void attach(int cgroupFd, int programFd) {
        Memory attr = attr();
        attr.setInt(0, cgroupFd);
        attr.setInt(4, programFd);
        attr.setInt(8, ATTACH_CGROUP_DEVICE);
        attr.setInt(12, F_ALLOW_MULTI);
        call(PROG_ATTACH, attr);
    }

    static void detach(int cgroupFd, int programFd) {
        Memory attr = attr();
        attr.setInt(0, cgroupFd);
        attr.setInt(4, programFd);
        attr.setInt(8, ATTACH_CGROUP_DEVICE);
        call(PROG_DETACH, attr);
    }

    /** The ids of the device programs attached to the cgroup itself (not inherited ones). */
    static int[] query(int cgroupFd) {
        for (int capacity = 64; ; capacity *= 2) {
            Memory ids = new Memory(4L * capacity);
            ids.clear();
            Memory attr = attr();
            attr.setInt(0, cgroupFd);
            attr.setInt(4, ATTACH_CGROUP_DEVICE);
            attr.setLong(16, Pointer.nativeValue(ids));
            attr.setInt(24, capacity);
            try {
                call(PROG_QUERY, attr);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Libc.ENOSPC && capacity < 1 << 16) {
                    continue;
                }
                throw e;
            }
            int count = attr.getInt(24);
            return Arrays.copyOf(ids.getIntArray(0, capacity), count);
        }
    }

    static int programById(int id) {
        Memory attr = attr();
        attr.setInt(0, id);
        return call(PROG_GET_FD_BY_ID, attr);
    }
}
