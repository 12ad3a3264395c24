package keel.network.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkRecord;
import keel.api.network.PortMapping;

/**
 * CNI's ADD, DEL and CHECK of a conflist (spec 1.0, "Network configuration list runtime
 * semantics"): ADD runs the plugins in order, each given the previous one's result; DEL runs them
 * in reverse and CHECK in order, both given the ADD's result. The attachment keeps the conflist
 * ADD ran and its result, so a DEL or CHECK needs nothing but the record: after a restart, on
 * another instance, after the configuration file changed.
 */
final class Attachments {
    /** driverData keys of an {@link Attachment}. */
    static final String DATA_NETWORK = "cni.network";
    static final String DATA_CONFLIST = "cni.conflist";
    static final String DATA_RESULT = "cni.result";

    private final Networks networks;
    private final PluginRunner runner;
    private final MasqChains masq;
    private final PublishedPorts published;

    Attachments(Networks networks, PluginRunner runner, MasqChains masq, PublishedPorts published) {
        this.networks = networks;
        this.runner = runner;
        this.masq = masq;
        this.published = published;
    }

    Attachment attach(NetworkRecord network, AttachRequest request) {
        Names.checkContainerId(request.containerId());
        Names.checkInterfaceName(request.ifName(), "the container's interface");
        checkNetns(request.netns());
        ConfList list = networks.confList(network.name());
        List<PortMapping> ports = Ports.settle(request.ports());
        published.refuseTaken(ports, request.containerId());
        ObjectNode runtime = Ports.runtimeConfig(ports);
        for (int i = 0; i < list.plugins().size(); i++) {
            runner.find(list.type(i)); // every plugin is there before anything is made
        }
        ConfList lo = BridgeConfList.loopback();
        runner.run("loopback", new PluginRunner.Call("ADD", request.containerId(), request.netns(), "lo", lo.name()),
                lo.pluginInput(0, null, Json.MAPPER.createObjectNode()));

        PluginRunner.Call add = call("ADD", request.containerId(), request.netns(), request.ifName(), list);
        JsonNode result = null;
        try {
            for (int i = 0; i < list.plugins().size(); i++) {
                JsonNode output = runner.run(list.type(i), add, list.pluginInput(i, result, runtime));
                if (output == null) {
                    throw new KeelException(ErrorKind.INTERNAL, "CNI plugin " + list.type(i) + " printed no result for "
                            + add.describe());
                }
                result = output;
            }
            CniResult parsed = CniResult.parse(result, add.describe());
            String bridge = list.plugin("bridge").map(p -> Json.string(p, "bridge")).orElse(null);
            CniResult.Interface inside = parsed.containerInterface(request.ifName());
            Map<String, String> data = new LinkedHashMap<>();
            data.put(DATA_NETWORK, list.name());
            data.put(DATA_CONFLIST, list.toJson());
            data.put(DATA_RESULT, Json.text(result));
            data.putAll(parsed.facts());
            return new Attachment(request.containerId(), network.id(), request.netns(), request.ifName(),
                    parsed.hostInterface(bridge), parsed.addresses(), parsed.gateway(), inside == null ? null : inside.mac(),
                    ports, data);
        } catch (RuntimeException e) {
            // what the plugins made so far goes (spec: a runtime cleans up a failed ADD with DEL)
            JsonNode made = result;
            try {
                delete(list, call("DEL", request.containerId(), request.netns(), request.ifName(), list), made, runtime,
                        made == null ? List.of() : CniResult.parse(made, "undo").addresses());
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /** DEL: every plugin in reverse order, each failure collected so the others still release what they hold. */
    void detach(Attachment attachment) {
        Names.checkContainerId(attachment.containerId());
        Names.checkInterfaceName(attachment.ifName(), "the container's interface");
        ConfList list = confList(attachment);
        JsonNode result = result(attachment);
        delete(list, call("DEL", attachment.containerId(), attachment.netns(), attachment.ifName(), list), result,
                Ports.runtimeConfig(attachment.ports()), attachment.addresses());
    }

    /** CHECK: the namespace exists, then every plugin in order (spec 0.4.0 and later) with the ADD's result. */
    void check(Attachment attachment) {
        Names.checkContainerId(attachment.containerId());
        Names.checkInterfaceName(attachment.ifName(), "the container's interface");
        ConfList list = confList(attachment);
        String broken = "the attachment of container " + attachment.containerId() + " to network " + list.name()
                + " is broken: ";
        if (attachment.netns() == null || !Files.exists(Path.of(attachment.netns()))) {
            throw KeelException.notFound("%snetwork namespace %s is gone; detach it", broken, attachment.netns());
        }
        if (!list.supportsCheck()) {
            return; // before 0.4.0 CNI has no CHECK: nothing more can be asked
        }
        JsonNode result = result(attachment);
        ObjectNode runtime = Ports.runtimeConfig(attachment.ports());
        PluginRunner.Call check = call("CHECK", attachment.containerId(), attachment.netns(), attachment.ifName(), list);
        for (int i = 0; i < list.plugins().size(); i++) {
            try {
                runner.run(list.type(i), check, list.pluginInput(i, result, runtime));
            } catch (KeelException e) {
                if (portmapIpv6Bug(list.type(i), e, attachment)) {
                    continue;
                }
                throw new KeelException(ErrorKind.NOT_FOUND, broken + e.getMessage() + "; detach and attach it again", e);
            }
        }
    }

    /** Takes over an attachment made by another instance: its record must be one of this driver's and intact. */
    Attachment adopt(Attachment attachment) {
        check(attachment);
        return attachment;
    }

    private void delete(ConfList list, PluginRunner.Call del, JsonNode result, ObjectNode runtime, List<String> addresses) {
        KeelException first = null;
        for (int i = list.plugins().size() - 1; i >= 0; i--) {
            try {
                runner.run(list.type(i), del, list.pluginInput(i, result, runtime));
            } catch (KeelException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (list.plugin("bridge").map(p -> p.path("ipMasq").asBoolean(false)).orElse(false)) {
            try {
                masq.remove(list.name(), del.containerId(), addresses);
            } catch (KeelException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private ConfList confList(Attachment attachment) {
        String json = attachment.driverData().get(DATA_CONFLIST);
        if (json != null) {
            return ConfList.parse(json, "the attachment of container " + attachment.containerId(), false);
        }
        String name = attachment.driverData().get(DATA_NETWORK);
        if (name == null) {
            throw KeelException.invalid("the attachment of container %s was not made by the CNI driver (its record has "
                    + "no %s): detach it with the driver that made it", attachment.containerId(), DATA_CONFLIST);
        }
        return networks.confList(name);
    }

    private static JsonNode result(Attachment attachment) {
        String json = attachment.driverData().get(DATA_RESULT);
        return json == null ? null : Json.object(json, "the CNI result of container " + attachment.containerId());
    }

    private PluginRunner.Call call(String command, String containerId, String netns, String ifName, ConfList list) {
        return new PluginRunner.Call(command, containerId, netns == null ? "" : netns, ifName, list.name());
    }

    /**
     * portmap 1.1.1 checks its IPv6 chain whenever ip6tables exists, also for a container without
     * an IPv6 address, for which ADD made none: "could not check ipv6 dnat: chain ... not found".
     * Its IPv4 check ran first and passed, so for such a container this failure says nothing.
     */
    private static boolean portmapIpv6Bug(String type, KeelException e, Attachment attachment) {
        return type.equals("portmap") && e.getMessage().contains("could not check ipv6 dnat")
                && attachment.addresses().stream().noneMatch(a -> a.contains(":"));
    }

    private static void checkNetns(String netns) {
        if (netns == null || !netns.startsWith("/") || netns.contains("\0")) {
            throw KeelException.invalid("network namespace '%s' must be an absolute path, e.g. /proc/PID/ns/net", netns);
        }
        Path path = Path.of(netns);
        if (!Files.exists(path)) {
            throw KeelException.notFound("network namespace %s does not exist (has the container exited?)", netns);
        }
        try {
            if (Files.isSameFile(path, Path.of("/proc/self/ns/net"))) {
                throw KeelException.invalid("network namespace %s is the daemon's own: a container that shares the "
                        + "host's network needs no driver (network mode host)", netns);
            }
        } catch (IOException e) {
            throw KeelException.invalid("network namespace %s cannot be read: %s", netns, e.getMessage());
        }
    }
}
