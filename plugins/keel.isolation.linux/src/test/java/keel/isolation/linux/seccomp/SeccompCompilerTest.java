package keel.isolation.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;
import keel.api.runtime.Seccomp;

/**
 * Runs the compiled programs in a small classic-BPF interpreter over seccomp_data as the kernel
 * builds it, and checks the verdicts.
 */
class SeccompCompilerTest {
    static final int CLONE_NEWUSER = 0x10000000;
    static final int CLONE_NEWNET = 0x40000000;

    /** Executes {@code program} on (nr, arch, args) and returns the seccomp verdict. */
    static int run(byte[] program, int nr, int arch, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0);
        for (int i = 0; i < args.length; i++) {
            data.putLong(16 + 8 * i, args[i]);
        }
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int pc = 0;
        int a = 0;
        while (true) {
            short code = p.getShort(pc * 8);
            int jt = p.get(pc * 8 + 2) & 0xFF;
            int jf = p.get(pc * 8 + 3) & 0xFF;
            int k = p.getInt(pc * 8 + 4);
            pc++;
            switch (code) {
                case SeccompCompiler.LD_W_ABS -> a = data.getInt(k);
                case SeccompCompiler.AND_K -> a &= k;
                case SeccompCompiler.JEQ_K -> pc += a == k ? jt : jf;
                case SeccompCompiler.JGE_K -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                case SeccompCompiler.RET_K -> {
                    return k;
                }
                default -> throw new AssertionError("unexpected opcode " + code);
            }
        }
    }

    static int nr(String name) {
        return SyscallTable.number(name).orElseThrow();
    }

    static final int ARCH = SeccompCompiler.AUDIT_ARCH_X86_64;
    static final int EPERM = SeccompCompiler.RET_ERRNO | 1;

    @Test
    void theDefaultIntentDeniesWhatDockersDefaultDeniesAndAllowsTheRest() {
        Seccomp profile = new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), List.of(
                new Seccomp.Syscall(List.of("mount", "keyctl", "bpf", "reboot", "vm86"), "SCMP_ACT_ERRNO", 1),
                new Seccomp.Syscall(List.of("clone3"), "SCMP_ACT_ERRNO", 38),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", 1,
                        List.of(new Seccomp.Arg(0, CLONE_NEWUSER, CLONE_NEWUSER, "SCMP_CMP_MASKED_EQ"))),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", 1,
                        List.of(new Seccomp.Arg(0, CLONE_NEWNET, CLONE_NEWNET, "SCMP_CMP_MASKED_EQ")))));
        byte[] bpf = SeccompCompiler.compile(profile);
        assertEquals(EPERM, run(bpf, nr("mount"), ARCH));
        assertEquals(EPERM, run(bpf, nr("keyctl"), ARCH));
        assertEquals(EPERM, run(bpf, nr("bpf"), ARCH));
        assertEquals(SeccompCompiler.RET_ERRNO | 38, run(bpf, nr("clone3"), ARCH));
        assertEquals(SeccompCompiler.RET_ALLOW, run(bpf, nr("read"), ARCH));
        assertEquals(SeccompCompiler.RET_ALLOW, run(bpf, nr("clone"), ARCH, 0x11 /* SIGCHLD */ | 0x01000000L));
        assertEquals(EPERM, run(bpf, nr("clone"), ARCH, CLONE_NEWUSER | 0x11));
        assertEquals(EPERM, run(bpf, nr("clone"), ARCH, CLONE_NEWNET));
        assertEquals(SeccompCompiler.RET_KILL_PROCESS, run(bpf, nr("read"), 0x40000003 /* i386 */));
        assertEquals(EPERM, run(bpf, 0x40000000 | nr("read"), ARCH), "x32 calls are refused");
    }

    @Test
    void anEqualProfileGetsTheSameProgramAndNoCallerCanChangeAnothersCopy() {
        Seccomp profile = new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), List.of(
                new Seccomp.Syscall(List.of("mount"), "SCMP_ACT_ERRNO", 1)));
        Seccomp equal = new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), List.of(
                new Seccomp.Syscall(List.of("mount"), "SCMP_ACT_ERRNO", 1)));
        byte[] first = SeccompCompiler.compile(profile);
        java.util.Arrays.fill(first, (byte) 0);
        byte[] second = SeccompCompiler.compile(equal);
        assertEquals(EPERM, run(second, nr("mount"), ARCH));
        assertEquals(SeccompCompiler.RET_ALLOW, run(second, nr("read"), ARCH));
        Seccomp other = new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), List.of(
                new Seccomp.Syscall(List.of("read"), "SCMP_ACT_ERRNO", 1)));
        assertEquals(SeccompCompiler.RET_ALLOW, run(SeccompCompiler.compile(other), nr("mount"), ARCH));
    }

    @Test
    void equalAndNotEqualCompareAll64Bits() {
        Seccomp profile = new Seccomp("SCMP_ACT_ERRNO", List.of("SCMP_ARCH_X86_64"), List.of(
                new Seccomp.Syscall(List.of("personality"), "SCMP_ACT_ALLOW", null,
                        List.of(new Seccomp.Arg(0, 0x1_0000_0008L, 0, "SCMP_CMP_EQ"))),
                new Seccomp.Syscall(List.of("setns"), "SCMP_ACT_ALLOW", null,
                        List.of(new Seccomp.Arg(1, 0, 0, "SCMP_CMP_NE")))));
        byte[] bpf = SeccompCompiler.compile(profile);
        assertEquals(SeccompCompiler.RET_ALLOW, run(bpf, nr("personality"), ARCH, 0x1_0000_0008L));
        assertEquals(EPERM, run(bpf, nr("personality"), ARCH, 0x8));
        assertEquals(EPERM, run(bpf, nr("personality"), ARCH, 0x2_0000_0008L));
        assertEquals(SeccompCompiler.RET_ALLOW, run(bpf, nr("setns"), ARCH, 3, 0x40000000));
        assertEquals(SeccompCompiler.RET_ALLOW, run(bpf, nr("setns"), ARCH, 3, 0x1_0000_0000L));
        assertEquals(EPERM, run(bpf, nr("setns"), ARCH, 3, 0));
        assertEquals(EPERM, run(bpf, nr("read"), ARCH));
    }

    @Test
    void unknownActionsAndOperatorsAreNamed() {
        KeelException action = assertThrows(KeelException.class, () -> SeccompCompiler.compile(
                new Seccomp("SCMP_ACT_FROB", List.of("SCMP_ARCH_X86_64"), List.of())));
        assertTrue(action.getMessage().contains("SCMP_ACT_FROB"));
        KeelException op = assertThrows(KeelException.class, () -> SeccompCompiler.compile(
                new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), List.of(new Seccomp.Syscall(
                        List.of("read"), "SCMP_ACT_ERRNO", 1, List.of(new Seccomp.Arg(0, 1, 0, "SCMP_CMP_GT")))))));
        assertTrue(op.getMessage().contains("SCMP_CMP_GT"));
        assertThrows(KeelException.class, () -> SeccompCompiler.compile(
                new Seccomp("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_AARCH64"), List.of())));
    }
}
