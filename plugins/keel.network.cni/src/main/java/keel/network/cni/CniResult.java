package keel.network.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.KeelException;

/**
 * A CNI ADD result (spec 1.0, "Success"): interfaces, the addresses on them, routes and DNS.
 *
 * @param interfaces every interface the plugins made or used; {@code sandbox} set for those in the container
 * @param ips addresses in CIDR form with their gateway and the index of their interface
 * @param routes routes the container should have
 * @param dns name servers, domain, search list, options
 */
record CniResult(List<Interface> interfaces, List<Ip> ips, List<Route> routes, Dns dns) {

    record Interface(String name, String mac, String sandbox) {
    }

    record Ip(String address, String gateway, int interfaceIndex) {
    }

    record Route(String dst, String gw) {
        @Override
        public String toString() {
            return gw == null ? dst : dst + " via " + gw;
        }
    }

    record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
    }

    CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
    }

    static CniResult parse(JsonNode result, String what) {
        if (result == null || !result.isObject()) {
            throw KeelException.invalid("%s: the CNI plugins returned no result", what);
        }
        List<Interface> interfaces = new ArrayList<>();
        for (JsonNode i : result.path("interfaces")) {
            interfaces.add(new Interface(Json.string(i, "name"), Json.string(i, "mac"), Json.string(i, "sandbox")));
        }
        List<Ip> ips = new ArrayList<>();
        for (JsonNode ip : result.path("ips")) {
            String address = Json.string(ip, "address");
            if (address == null || !address.contains("/")) {
                throw KeelException.invalid("%s: the CNI result has an address without a prefix length: %s", what, ip);
            }
            ips.add(new Ip(address, Json.string(ip, "gateway"), ip.path("interface").asInt(-1)));
        }
        List<Route> routes = new ArrayList<>();
        for (JsonNode route : result.path("routes")) {
            routes.add(new Route(Json.string(route, "dst"), Json.string(route, "gw")));
        }
        JsonNode dns = result.path("dns");
        return new CniResult(interfaces, ips, routes, new Dns(strings(dns.path("nameservers")), Json.string(dns, "domain"),
                strings(dns.path("search")), strings(dns.path("options"))));
    }

    /** The container's interface: in a sandbox and named {@code ifName}. */
    Interface containerInterface(String ifName) {
        return interfaces.stream().filter(i -> i.sandbox() != null && !i.sandbox().isEmpty() && ifName.equals(i.name()))
                .findFirst().orElse(null);
    }

    /** The host end of the container's link (the veth): on the host, and not the bridge {@code bridge}. */
    String hostInterface(String bridge) {
        return interfaces.stream().filter(i -> (i.sandbox() == null || i.sandbox().isEmpty()) && i.name() != null
                && !i.name().equals(bridge)).map(Interface::name).findFirst().orElse(null);
    }

    List<String> addresses() {
        return ips.stream().map(Ip::address).toList();
    }

    /** The first IPv4 gateway, else the first gateway, else null. */
    String gateway() {
        return ips.stream().map(Ip::gateway).filter(g -> g != null && !g.contains(":")).findFirst()
                .orElse(ips.stream().map(Ip::gateway).filter(g -> g != null).findFirst().orElse(null));
    }

    /** What the result says beyond the contract's fields, as an attachment's driverData entries. */
    Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("interfaces", interfaces.stream().map(i -> i.name() + (i.sandbox() == null || i.sandbox().isEmpty()
                ? " (host)" : " (container)")).collect(Collectors.joining(", ")));
        if (!routes.isEmpty()) {
            facts.put("routes", routes.stream().map(Route::toString).collect(Collectors.joining(", ")));
        }
        if (!dns.nameservers().isEmpty()) {
            facts.put("dns.nameservers", String.join(",", dns.nameservers()));
        }
        if (dns.domain() != null) {
            facts.put("dns.domain", dns.domain());
        }
        if (!dns.search().isEmpty()) {
            facts.put("dns.search", String.join(",", dns.search()));
        }
        if (!dns.options().isEmpty()) {
            facts.put("dns.options", String.join(",", dns.options()));
        }
        return facts;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
