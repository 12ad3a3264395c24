package keel.isolation.linux.seccomp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

import keel.api.KeelException;
import keel.api.runtime.Seccomp;

/**
 * Compiles an OCI seccomp profile to a classic BPF program for x86_64, as the shim installs it
 * (an array of struct sock_filter, little-endian). The program checks the architecture (anything
 * but x86_64, including the x32 ABI, is refused), then tries each rule in order — the first whose
 * syscall and argument conditions match decides — then the default action. Names this
 * architecture does not have are skipped, as libseccomp does. Programs are kept per profile
 * (every container with the default profile gets the same one, compiled once).
 */
public final class SeccompCompiler {
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_KILL_THREAD = 0x00000000;
    static final int RET_TRAP = 0x00030000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_TRACE = 0x7FF00000;
    static final int RET_LOG = 0x7FFC0000;
    static final int RET_ALLOW = 0x7FFF0000;
    static final int EPERM = 1;

    // classic BPF opcodes
    static final short LD_W_ABS = 0x20;
    static final short JEQ_K = 0x15;
    static final short JGE_K = 0x35;
    static final short AND_K = 0x54;
    static final short RET_K = 0x06;

    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;
    private static final int OFFSET_ARGS = 16;

    /** One instruction. */
    record Instruction(short code, int jt, int jf, int k) {
    }

    /** Compiled programs by profile (a record: equal profiles, one program); emptied when it grows past this. */
    private static final int KEPT = 32;
    private static final Map<Seccomp, byte[]> COMPILED = new ConcurrentHashMap<>();

    private SeccompCompiler() {
    }

    public static byte[] compile(Seccomp profile) {
        byte[] program = COMPILED.get(profile);
        if (program == null) {
            program = encode(program(profile));
            if (COMPILED.size() >= KEPT) {
                COMPILED.clear();
            }
            COMPILED.put(profile, program);
        }
        return program.clone();
    }

    static List<Instruction> program(Seccomp profile) {
        for (String arch : profile.architectures()) {
            if (!arch.equals("SCMP_ARCH_X86_64") && !arch.equals("SCMP_ARCH_X86") && !arch.equals("SCMP_ARCH_X32")) {
                throw KeelException.invalid("seccomp profile: architecture %s is not supported here (x86_64)", arch);
            }
        }
        List<Instruction> p = new ArrayList<>();
        p.add(load(OFFSET_ARCH));
        p.add(new Instruction(JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
        p.add(ret(RET_KILL_PROCESS));
        p.add(load(OFFSET_NR));
        p.add(new Instruction(JGE_K, 0, 1, X32_SYSCALL_BIT));
        p.add(ret(RET_ERRNO | EPERM));
        for (Seccomp.Syscall rule : profile.syscalls()) {
            int action = action(rule.action(), rule.errnoRet());
            for (String name : rule.names()) {
                OptionalInt nr = SyscallTable.number(name);
                if (nr.isEmpty()) {
                    continue;
                }
                List<Instruction> conditions = conditions(rule.args());
                // if nr matches: fall into the conditions, else skip them and the return
                p.add(new Instruction(JEQ_K, 0, conditions.size() + 1, nr.getAsInt()));
                p.addAll(conditions);
                p.add(ret(action));
                if (!conditions.isEmpty()) {
                    p.add(load(OFFSET_NR)); // the conditions loaded arguments: reload the number
                }
            }
        }
        p.add(ret(action(profile.defaultAction(), null)));
        if (p.size() > 4096) {
            throw KeelException.invalid("seccomp profile too large: %d BPF instructions (the kernel takes 4096)",
                    p.size());
        }
        return p;
    }

    /**
     * The checks of every argument condition; each failing check jumps past the block and the
     * return that follows it (to the reload of the number).
     */
    static List<Instruction> conditions(List<Seccomp.Arg> args) {
        List<List<Instruction>> checks = new ArrayList<>();
        for (Seccomp.Arg arg : args) {
            checks.add(check(arg));
        }
        List<Instruction> block = new ArrayList<>();
        int total = checks.stream().mapToInt(List::size).sum();
        int done = 0;
        for (List<Instruction> check : checks) {
            for (Instruction i : check) {
                done++;
                int toFail = total - done + 1; // past the rest of the block and the return
                block.add(new Instruction(i.code(), i.jt() == FAIL ? toFail : i.jt(), i.jf() == FAIL ? toFail : i.jf(),
                        i.k()));
            }
        }
        return block;
    }

    private static final int FAIL = -1;

    private static List<Instruction> check(Seccomp.Arg arg) {
        if (arg.index() < 0 || arg.index() > 5) {
            throw KeelException.invalid("seccomp profile: argument index %d is not 0-5", arg.index());
        }
        int low = OFFSET_ARGS + 8 * arg.index();
        int high = low + 4;
        long value = arg.value();
        long two = arg.valueTwo();
        return switch (arg.op()) {
            case "SCMP_CMP_EQ" -> List.of(load(high), new Instruction(JEQ_K, 0, FAIL, (int) (value >>> 32)),
                    load(low), new Instruction(JEQ_K, 0, FAIL, (int) value));
            case "SCMP_CMP_MASKED_EQ" -> List.of(load(high), new Instruction(AND_K, 0, 0, (int) (value >>> 32)),
                    new Instruction(JEQ_K, 0, FAIL, (int) (two >>> 32)), load(low),
                    new Instruction(AND_K, 0, 0, (int) value), new Instruction(JEQ_K, 0, FAIL, (int) two));
            case "SCMP_CMP_NE" -> List.of(load(high), new Instruction(JEQ_K, 0, 2, (int) (value >>> 32)),
                    load(low), new Instruction(JEQ_K, FAIL, 0, (int) value));
            default -> throw KeelException.invalid("seccomp profile: argument operator %s is not supported "
                    + "(use SCMP_CMP_EQ, SCMP_CMP_NE or SCMP_CMP_MASKED_EQ)", arg.op());
        };
    }

    static int action(String action, Integer errno) {
        return switch (action) {
            case "SCMP_ACT_ALLOW" -> RET_ALLOW;
            case "SCMP_ACT_ERRNO" -> RET_ERRNO | ((errno == null ? EPERM : errno) & 0xFFFF);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> RET_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> RET_TRAP;
            case "SCMP_ACT_LOG" -> RET_LOG;
            case "SCMP_ACT_TRACE" -> RET_TRACE | ((errno == null ? 0 : errno) & 0xFFFF);
            default -> throw KeelException.invalid("seccomp profile: unknown action %s", action);
        };
    }

    private static Instruction load(int offset) {
        return new Instruction(LD_W_ABS, 0, 0, offset);
    }

    private static Instruction ret(int value) {
        return new Instruction(RET_K, 0, 0, value);
    }

    /** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, little-endian. */
    static byte[] encode(List<Instruction> program) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(program.size() * 8);
        for (Instruction i : program) {
            if (i.jt() > 255 || i.jf() > 255 || i.jt() < 0 || i.jf() < 0) {
                throw new IllegalStateException("jump out of range in " + i);
            }
            out.write(i.code() & 0xFF);
            out.write((i.code() >> 8) & 0xFF);
            out.write(i.jt());
            out.write(i.jf());
            out.write(i.k() & 0xFF);
            out.write((i.k() >> 8) & 0xFF);
            out.write((i.k() >> 16) & 0xFF);
            out.write((i.k() >>> 24) & 0xFF);
        }
        return out.toByteArray();
    }
}
