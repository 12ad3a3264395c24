package keel.cgroup.v2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import keel.cgroup.base.DeviceRules;

/**
 * Compiles {@link DeviceRules} to a BPF_PROG_TYPE_CGROUP_DEVICE program, block for block as runc's
 * devicefilter does: load the request's type, access, major and minor into r2-r5, then one block
 * per exception that jumps to the next block on any mismatch and otherwise returns the exception's
 * verdict; the last block returns the default. The context is {@code struct bpf_cgroup_dev_ctx
 * { u32 access_type (type | access << 16); u32 major; u32 minor; }}.
 */
final class DeviceFilter {
    static final int DEV_BLOCK = 1;
    static final int DEV_CHAR = 2;
    static final int ACC_MKNOD = 1;
    static final int ACC_READ = 2;
    static final int ACC_WRITE = 4;

    /** The license string the program is loaded with (no GPL-only helpers are used). */
    static final String LICENSE = "Apache";

    // opcodes (linux/bpf_common.h, linux/bpf.h)
    static final int LDX_MEM_W = 0x61;    // BPF_LDX | BPF_MEM | BPF_W
    static final int ALU32_AND_K = 0x54;  // BPF_ALU | BPF_AND | BPF_K
    static final int ALU32_RSH_K = 0x74;  // BPF_ALU | BPF_RSH | BPF_K
    static final int ALU32_MOV_X = 0xbc;  // BPF_ALU | BPF_MOV | BPF_X
    static final int ALU32_MOV_K = 0xb4;  // BPF_ALU | BPF_MOV | BPF_K
    static final int JNE_K = 0x55;        // BPF_JMP | BPF_JNE | BPF_K
    static final int JNE_X = 0x5d;        // BPF_JMP | BPF_JNE | BPF_X
    static final int EXIT = 0x95;         // BPF_JMP | BPF_EXIT

    static final int R0 = 0;
    static final int R1 = 1;
    static final int R2 = 2;
    static final int R3 = 3;
    static final int R4 = 4;
    static final int R5 = 5;

    /** One instruction ({@code struct bpf_insn}); {@code off} of a jump is filled in by {@link #compile}. */
    record Insn(int code, int dst, int src, int off, int imm) {
        Insn withOff(int offset) {
            return new Insn(code, dst, src, offset, imm);
        }

        boolean isJump() {
            return code == JNE_K || code == JNE_X;
        }
    }

    private DeviceFilter() {
    }

    /** The program as instructions, jumps resolved. */
    static List<Insn> compile(DeviceRules rules) {
        List<List<Insn>> blocks = new ArrayList<>();
        for (DeviceRules.Rule rule : rules.exceptions()) {
            blocks.add(block(rule));
        }
        List<Insn> program = new ArrayList<>(List.of(
                new Insn(LDX_MEM_W, R2, R1, 0, 0),       // r2 = ctx->access_type
                new Insn(ALU32_AND_K, R2, 0, 0, 0xFFFF),  // r2 &= 0xffff: the type
                new Insn(LDX_MEM_W, R3, R1, 0, 0),       // r3 = ctx->access_type
                new Insn(ALU32_RSH_K, R3, 0, 0, 16),     // r3 >>= 16: the access
                new Insn(LDX_MEM_W, R4, R1, 4, 0),       // r4 = ctx->major
                new Insn(LDX_MEM_W, R5, R1, 8, 0)));     // r5 = ctx->minor
        for (List<Insn> block : blocks) {
            int nextBlock = program.size() + block.size();
            for (Insn insn : block) {
                program.add(insn.isJump() ? insn.withOff(nextBlock - (program.size() + 1)) : insn);
            }
        }
        program.addAll(verdict(rules.defaultAllow()));
        return program;
    }

    private static List<Insn> block(DeviceRules.Rule rule) {
        List<Insn> block = new ArrayList<>();
        int type = switch (rule.type()) {
            case 'b' -> DEV_BLOCK;
            case 'c' -> DEV_CHAR;
            default -> throw new IllegalArgumentException("no eBPF block for device type " + rule.type());
        };
        int access = 0;
        for (char c : rule.access().toCharArray()) {
            access |= switch (c) {
                case 'r' -> ACC_READ;
                case 'w' -> ACC_WRITE;
                default -> ACC_MKNOD;
            };
        }
        block.add(new Insn(JNE_K, R2, 0, 0, type));                // if type != rule type: next
        if (access != (ACC_READ | ACC_WRITE | ACC_MKNOD)) {
            block.add(new Insn(ALU32_MOV_X, R1, R3, 0, 0));        // r1 = access
            block.add(new Insn(ALU32_AND_K, R1, 0, 0, access));    // r1 &= rule access
            block.add(new Insn(JNE_X, R1, R3, 0, 0));              // if access asks more: next
        }
        if (rule.major() != DeviceRules.ANY) {
            block.add(new Insn(JNE_K, R4, 0, 0, (int) rule.major()));
        }
        if (rule.minor() != DeviceRules.ANY) {
            block.add(new Insn(JNE_K, R5, 0, 0, (int) rule.minor()));
        }
        block.addAll(verdict(rule.allow()));
        return block;
    }

    private static List<Insn> verdict(boolean allow) {
        return List.of(new Insn(ALU32_MOV_K, R0, 0, 0, allow ? 1 : 0), new Insn(EXIT, 0, 0, 0, 0));
    }

    /** The program as the kernel takes it: 8 bytes per instruction, little-endian fields. */
    static byte[] encode(List<Insn> program) {
        ByteBuffer out = ByteBuffer.allocate(program.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn insn : program) {
            out.put((byte) insn.code());
            out.put((byte) (out.order() == ByteOrder.LITTLE_ENDIAN ? insn.src() << 4 | insn.dst()
                    : insn.dst() << 4 | insn.src()));
            out.putShort((short) insn.off());
            out.putInt(insn.imm());
        }
        return out.array();
    }

    /** The program in runc's notation, for tests and messages. */
    static String describe(List<Insn> program) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < program.size(); i++) {
            Insn insn = program.get(i);
            String text = switch (insn.code()) {
                case LDX_MEM_W -> "LdXMemW dst: r" + insn.dst() + " src: r" + insn.src() + " off: " + insn.off();
                case ALU32_AND_K -> "AndImm32 dst: r" + insn.dst() + " imm: " + insn.imm();
                case ALU32_RSH_K -> "RShImm32 dst: r" + insn.dst() + " imm: " + insn.imm();
                case ALU32_MOV_X -> "MovReg32 dst: r" + insn.dst() + " src: r" + insn.src();
                case ALU32_MOV_K -> "MovImm32 dst: r" + insn.dst() + " imm: " + insn.imm();
                case JNE_K -> "JNEImm dst: r" + insn.dst() + " off: " + insn.off() + " imm: " + insn.imm();
                case JNE_X -> "JNEReg dst: r" + insn.dst() + " off: " + insn.off() + " src: r" + insn.src();
                case EXIT -> "Exit";
                default -> "op " + insn.code();
            };
            out.append(i).append(": ").append(text).append('\n');
        }
        return out.toString();
    }
}
