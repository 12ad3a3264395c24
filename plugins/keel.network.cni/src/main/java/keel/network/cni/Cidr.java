package keel.network.cni;

import keel.api.KeelException;

/** An IPv4 subnet, for choosing and checking the subnets of generated networks. */
record Cidr(int address, int prefixLength) {

    static Cidr parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/");
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw KeelException.invalid("'%s' is not an IPv4 subnet such as 10.89.0.0/24", text);
        }
        int prefix = Integer.parseInt(parts[1]);
        int address = ipv4(parts[0]);
        if ((address & mask(prefix)) != address) {
            throw KeelException.invalid("'%s' is not a subnet: its host bits are set (did you mean %s?)", text,
                    new Cidr(address & mask(prefix), prefix));
        }
        return new Cidr(address, prefix);
    }

    static int ipv4(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            throw KeelException.invalid("'%s' is not an IPv4 address", text);
        }
        int value = 0;
        for (String octet : octets) {
            if (!octet.matches("[0-9]{1,3}") || Integer.parseInt(octet) > 255) {
                throw KeelException.invalid("'%s' is not an IPv4 address", text);
            }
            value = (value << 8) | Integer.parseInt(octet);
        }
        return value;
    }

    static String text(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "." + (address & 255);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    boolean contains(int other) {
        return (other & mask(prefixLength)) == address;
    }

    boolean overlaps(Cidr other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return ((address ^ other.address) & mask(shorter)) == 0;
    }

    /** The first host address (the gateway by default). */
    int first() {
        return address + 1;
    }

    int broadcast() {
        return address | ~mask(prefixLength);
    }

    @Override
    public String toString() {
        return text(address) + "/" + prefixLength;
    }
}
