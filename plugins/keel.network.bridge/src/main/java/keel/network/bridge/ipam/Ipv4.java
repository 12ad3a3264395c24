package keel.network.bridge.ipam;

import keel.api.KeelException;

/** An IPv4 address as its 32 bits; parses only the dotted-quad form (no names, no octal, no shortcuts). */
public record Ipv4(int bits) implements Comparable<Ipv4> {

    public static Ipv4 parse(String text) {
        if (text == null) {
            throw KeelException.invalid("an IPv4 address is required");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw KeelException.invalid("'%s' is not an IPv4 address (expected a.b.c.d)", text);
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw KeelException.invalid("'%s' is not an IPv4 address (expected a.b.c.d)", text);
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                throw KeelException.invalid("'%s' is not an IPv4 address: %d is over 255", text, value);
            }
            bits = (bits << 8) | value;
        }
        return new Ipv4(bits);
    }

    /** From 4 bytes in network order. */
    public static Ipv4 of(byte[] bytes) {
        if (bytes == null || bytes.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes");
        }
        return new Ipv4(((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8)
                | (bytes[3] & 0xff));
    }

    /** The 4 bytes in network order. */
    public byte[] bytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    public Ipv4 plus(int offset) {
        return new Ipv4(bits + offset);
    }

    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    @Override
    public int compareTo(Ipv4 other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
