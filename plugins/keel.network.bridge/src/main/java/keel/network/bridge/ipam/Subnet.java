package keel.network.bridge.ipam;

import keel.api.KeelException;

/** An IPv4 network {@code address/prefixLength} whose host bits are zero. */
public record Subnet(Ipv4 address, int prefixLength) {

    public Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw KeelException.invalid("prefix length %d is not in 0..32", prefixLength);
        }
        if ((address.bits() & ~mask(prefixLength)) != 0) {
            throw KeelException.invalid("%s/%d has host bits set: the network is %s/%d", address, prefixLength,
                    new Ipv4(address.bits() & mask(prefixLength)), prefixLength);
        }
    }

    /** Parses {@code a.b.c.d/n}. */
    public static Subnet parse(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) {
            throw KeelException.invalid("'%s' is not a subnet in CIDR form (e.g. 10.88.0.0/16)", cidr);
        }
        String length = cidr.substring(slash + 1);
        if (length.isEmpty() || length.length() > 2 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw KeelException.invalid("'%s' is not a subnet in CIDR form (e.g. 10.88.0.0/16)", cidr);
        }
        return new Subnet(Ipv4.parse(cidr.substring(0, slash)), Integer.parseInt(length));
    }

    /** The network that contains {@code address} with this prefix length. */
    public static Subnet containing(Ipv4 address, int prefixLength) {
        return new Subnet(new Ipv4(address.bits() & mask(prefixLength)), prefixLength);
    }

    public boolean contains(Ipv4 ip) {
        return (ip.bits() & mask(prefixLength)) == address.bits();
    }

    public boolean overlaps(Subnet other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return (address.bits() & mask(shorter)) == (other.address.bits() & mask(shorter));
    }

    /** The first address after the network's own. */
    public Ipv4 first() {
        return address.plus(1);
    }

    /** The broadcast address (the last). */
    public Ipv4 broadcast() {
        return new Ipv4(address.bits() | ~mask(prefixLength));
    }

    /** How many addresses it spans (2^(32-n)), as a long. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
