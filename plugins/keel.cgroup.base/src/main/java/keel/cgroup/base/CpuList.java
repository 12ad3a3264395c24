package keel.cgroup.base;

import java.util.BitSet;

/**
 * A cpuset list such as {@code 0-2,4} (cpuset(7), "List format"): CPU or memory-node numbers.
 * Parsing is strict: digits, '-' and ',' only, every range ascending, numbers below {@link #LIMIT}.
 */
public final class CpuList {
    /** Above any machine Keel runs on; keeps a typo such as 0-999999999 from allocating. */
    public static final int LIMIT = 8192;

    private final BitSet bits;

    private CpuList(BitSet bits) {
        this.bits = bits;
    }

    /** Parses a list; the empty string is the empty set (as the kernel writes it). */
    public static CpuList parse(String text) {
        BitSet bits = new BitSet();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return new CpuList(bits);
        }
        for (String part : trimmed.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = number(dash < 0 ? part : part.substring(0, dash), text);
            int to = dash < 0 ? from : number(part.substring(dash + 1), text);
            if (to < from) {
                throw new IllegalArgumentException("range " + part + " is descending");
            }
            bits.set(from, to + 1);
        }
        return new CpuList(bits);
    }

    private static int number(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + digits + "' is not a number");
        }
        int value = Integer.parseInt(digits);
        if (value >= LIMIT) {
            throw new IllegalArgumentException(value + " is too large");
        }
        return value;
    }

    public boolean isEmpty() {
        return bits.isEmpty();
    }

    public boolean containsAll(CpuList other) {
        BitSet outside = (BitSet) other.bits.clone();
        outside.andNot(bits);
        return outside.isEmpty();
    }

    /** The canonical form, with ranges merged: {@code 0-2,4}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int from = bits.nextSetBit(0); from >= 0; ) {
            int to = bits.nextClearBit(from) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(from);
            if (to > from) {
                out.append('-').append(to);
            }
            from = bits.nextSetBit(to + 1);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CpuList list && list.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }
}
