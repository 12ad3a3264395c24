package keel.network.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import keel.api.KeelException;

/** The host's IPv4 routes of the main table ({@code /proc/net/route}): the subnets a new network must avoid. */
final class HostRoutes {
    /** A route's destination and the interface it leaves by. */
    record Route(Cidr destination, String device) {
    }

    private HostRoutes() {
    }

    static List<Route> read() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/net/route")));
        } catch (IOException e) {
            throw KeelException.internal("cannot read the host's routes (/proc/net/route): " + e.getMessage(), e);
        }
    }

    /** Lines of /proc/net/route: Iface, Destination, Gateway, Flags, RefCnt, Use, Metric, Mask (hex, host order of a little-endian machine). */
    static List<Route> parse(List<String> lines) {
        List<Route> routes = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            int destination = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
            int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
            int prefix = Integer.bitCount(mask);
            if (prefix > 0) { // the default route overlaps everything and excludes nothing
                routes.add(new Route(new Cidr(destination & Cidr.mask(prefix), prefix), f[0]));
            }
        }
        return routes;
    }
}
