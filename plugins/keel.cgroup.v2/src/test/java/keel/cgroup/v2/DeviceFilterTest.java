package keel.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.cgroup.base.DeviceRules;

class DeviceFilterTest {
    private static final String PROLOGUE = """
            0: LdXMemW dst: r2 src: r1 off: 0
            1: AndImm32 dst: r2 imm: 65535
            2: LdXMemW dst: r3 src: r1 off: 0
            3: RShImm32 dst: r3 imm: 16
            4: LdXMemW dst: r4 src: r1 off: 4
            5: LdXMemW dst: r5 src: r1 off: 8
            """;

    private static DeviceRules.Rule allow(char type, long major, long minor, String access) {
        return new DeviceRules.Rule(true, type, major, minor, access);
    }

    private static DeviceRules rules(DeviceRules.Rule... rules) {
        DeviceRules set = new DeviceRules();
        Arrays.stream(rules).forEach(set::apply);
        return set;
    }

    @Test
    void noExceptionsAfterDenyAllRejectsEverything() {
        DeviceRules none = rules(new DeviceRules.Rule(false, 'a', -1, -1, "rwm"));
        assertEquals(PROLOGUE + "6: MovImm32 dst: r0 imm: 0\n7: Exit\n", DeviceFilter.describe(DeviceFilter.compile(none)));
    }

    @Test
    void privilegedAcceptsEverythingAndOneDenyIsOneBlock() {
        assertEquals(PROLOGUE + "6: MovImm32 dst: r0 imm: 1\n7: Exit\n",
                DeviceFilter.describe(DeviceFilter.compile(rules(allow('a', -1, -1, "rwm")))));
        DeviceRules exceptOne = rules(allow('a', -1, -1, "rwm"), new DeviceRules.Rule(false, 'b', 8, 0, "rwm"));
        assertEquals(PROLOGUE + """
                6: JNEImm dst: r2 off: 4 imm: 1
                7: JNEImm dst: r4 off: 3 imm: 8
                8: JNEImm dst: r5 off: 2 imm: 0
                9: MovImm32 dst: r0 imm: 0
                10: Exit
                11: MovImm32 dst: r0 imm: 1
                12: Exit
                """, DeviceFilter.describe(DeviceFilter.compile(exceptOne)));
    }

    /** The same instructions as runc's TestDeviceFilter_BuiltInAllowList, with the jump offsets resolved. */
    @Test
    void runcsBuiltInAllowListCompilesAsRuncCompilesIt() {
        DeviceRules runc = rules(new DeviceRules.Rule(false, 'a', -1, -1, "rwm"),
                allow('c', -1, -1, "m"), allow('b', -1, -1, "m"), allow('c', 1, 3, "rwm"), allow('c', 1, 8, "rwm"),
                allow('c', 1, 7, "rwm"), allow('c', 5, 0, "rwm"), allow('c', 1, 5, "rwm"), allow('c', 1, 9, "rwm"),
                allow('c', 136, -1, "rwm"), allow('c', 5, 2, "rwm"), allow('c', 10, 200, "rwm"));
        StringBuilder expected = new StringBuilder(PROLOGUE).append("""
                6: JNEImm dst: r2 off: 5 imm: 1
                7: MovReg32 dst: r1 src: r3
                8: AndImm32 dst: r1 imm: 1
                9: JNEReg dst: r1 off: 2 src: r3
                10: MovImm32 dst: r0 imm: 1
                11: Exit
                12: JNEImm dst: r2 off: 5 imm: 2
                13: MovReg32 dst: r1 src: r3
                14: AndImm32 dst: r1 imm: 1
                15: JNEReg dst: r1 off: 2 src: r3
                16: MovImm32 dst: r0 imm: 1
                17: Exit
                """);
        int at = 18;
        for (int[] device : new int[][] {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {10, 200}}) {
            expected.append(at).append(": JNEImm dst: r2 off: 4 imm: 2\n")
                    .append(at + 1).append(": JNEImm dst: r4 off: 3 imm: ").append(device[0]).append('\n')
                    .append(at + 2).append(": JNEImm dst: r5 off: 2 imm: ").append(device[1]).append('\n')
                    .append(at + 3).append(": MovImm32 dst: r0 imm: 1\n")
                    .append(at + 4).append(": Exit\n");
            at += 5;
        }
        expected.append("58: JNEImm dst: r2 off: 3 imm: 2\n59: JNEImm dst: r4 off: 2 imm: 136\n")
                .append("60: MovImm32 dst: r0 imm: 1\n61: Exit\n62: MovImm32 dst: r0 imm: 0\n63: Exit\n");
        assertEquals(expected.toString(), DeviceFilter.describe(DeviceFilter.compile(runc)));
    }

    @Test
    void instructionsAreEncodedAsStructBpfInsn() {
        byte[] code = DeviceFilter.encode(List.of(new DeviceFilter.Insn(0x61, 2, 1, 4, 0),
                new DeviceFilter.Insn(0x55, 2, 0, -1, 0x01020304)));
        assertArrayEquals(new byte[] {0x61, 0x12, 4, 0, 0, 0, 0, 0, 0x55, 0x02, (byte) 0xff, (byte) 0xff, 4, 3, 2, 1},
                code);
    }

    /** Runs the program as the kernel would, for one request. */
    private static boolean run(List<DeviceFilter.Insn> program, int type, int access, int major, int minor) {
        long[] r = new long[11];
        int[] ctx = {type | access << 16, major, minor};
        for (int pc = 0; ; pc++) {
            DeviceFilter.Insn insn = program.get(pc);
            switch (insn.code()) {
                case DeviceFilter.LDX_MEM_W -> r[insn.dst()] = ctx[insn.off() / 4] & 0xFFFFFFFFL;
                case DeviceFilter.ALU32_AND_K -> r[insn.dst()] = r[insn.dst()] & insn.imm() & 0xFFFFFFFFL;
                case DeviceFilter.ALU32_RSH_K -> r[insn.dst()] = (r[insn.dst()] & 0xFFFFFFFFL) >>> insn.imm();
                case DeviceFilter.ALU32_MOV_X -> r[insn.dst()] = r[insn.src()] & 0xFFFFFFFFL;
                case DeviceFilter.ALU32_MOV_K -> r[insn.dst()] = insn.imm() & 0xFFFFFFFFL;
                case DeviceFilter.JNE_K -> pc += r[insn.dst()] != (insn.imm() & 0xFFFFFFFFL) ? insn.off() : 0;
                case DeviceFilter.JNE_X -> pc += r[insn.dst()] != r[insn.src()] ? insn.off() : 0;
                case DeviceFilter.EXIT -> {
                    return r[0] == 1;
                }
                default -> throw new AssertionError("unknown op " + insn.code());
            }
        }
    }

    @Test
    void theContainersProgramAllowsExactlyTheDefaultSet() {
        List<DeviceFilter.Insn> program = DeviceFilter.compile(DeviceRules.forContainer(List.of()));
        int c = DeviceFilter.DEV_CHAR;
        int b = DeviceFilter.DEV_BLOCK;
        int rw = DeviceFilter.ACC_READ | DeviceFilter.ACC_WRITE;
        int m = DeviceFilter.ACC_MKNOD;
        for (int[] ok : new int[][] {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {136, 0},
                {136, 77}}) {
            assertTrue(run(program, c, rw, ok[0], ok[1]), "c " + ok[0] + ":" + ok[1] + " rw");
        }
        assertFalse(run(program, c, DeviceFilter.ACC_READ, 1, 1), "/dev/mem");
        assertFalse(run(program, c, DeviceFilter.ACC_READ, 1, 11), "/dev/kmsg");
        assertFalse(run(program, c, rw, 10, 200), "tun is not in the default set");
        assertFalse(run(program, b, DeviceFilter.ACC_READ, 8, 0), "a disk");
        assertFalse(run(program, b, DeviceFilter.ACC_READ | m, 8, 0), "read and mknod of a disk");
        assertTrue(run(program, b, m, 8, 0), "mknod alone of any node");
        assertTrue(run(program, c, m, 1, 1), "mknod alone of any node");
    }

    @Test
    void partialAccessRulesAllowOnlyThatAccess() {
        List<DeviceFilter.Insn> program = DeviceFilter.compile(
                DeviceRules.forContainer(List.of(allow('c', 1, 11, "r"))));
        assertTrue(run(program, DeviceFilter.DEV_CHAR, DeviceFilter.ACC_READ, 1, 11));
        assertFalse(run(program, DeviceFilter.DEV_CHAR, DeviceFilter.ACC_WRITE, 1, 11));
        assertFalse(run(program, DeviceFilter.DEV_CHAR, DeviceFilter.ACC_READ | DeviceFilter.ACC_WRITE, 1, 11));
    }
}
