package keel.network.bridge.ipam;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import keel.api.KeelException;

/**
 * Chooses a network's subnet when none is given, as Docker's default address pools do: the first
 * candidate that overlaps nothing in use (the host's routes and addresses, Keel's other networks).
 * The default network prefers 172.17.0.0/16, like docker0.
 */
public final class SubnetChooser {
    /** 172.17.0.0/16 .. 172.31.0.0/16, then 10.88.0.0/16 .. 10.99.0.0/16, then 192.168.0.0/20 .. 192.168.240.0/20. */
    public static final List<Subnet> CANDIDATES = candidates();

    private SubnetChooser() {
    }

    public static Subnet choose(List<Subnet> inUse) {
        return choose(CANDIDATES, inUse);
    }

    public static Subnet choose(List<Subnet> candidates, List<Subnet> inUse) {
        return candidates.stream().filter(c -> firstOverlap(c, inUse).isEmpty()).findFirst()
                .orElseThrow(() -> KeelException.unavailable("no free subnet left in the default pools (%s .. %s): pass "
                        + "a subnet for the network", candidates.get(0), candidates.get(candidates.size() - 1)));
    }

    /** The first subnet of {@code inUse} that {@code subnet} overlaps. */
    public static Optional<Subnet> firstOverlap(Subnet subnet, List<Subnet> inUse) {
        return inUse.stream().filter(subnet::overlaps).findFirst();
    }

    private static List<Subnet> candidates() {
        List<Subnet> list = new ArrayList<>();
        for (int b = 17; b <= 31; b++) {
            list.add(Subnet.parse("172." + b + ".0.0/16"));
        }
        for (int b = 88; b <= 99; b++) {
            list.add(Subnet.parse("10." + b + ".0.0/16"));
        }
        for (int c = 0; c < 256; c += 16) {
            list.add(Subnet.parse("192.168." + c + ".0/20"));
        }
        return List.copyOf(list);
    }
}
