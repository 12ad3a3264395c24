package keel.network.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.KeelException;
import keel.api.network.AttachRequest;
import keel.api.network.Attachment;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkDriver;
import keel.api.network.NetworkRecord;

/**
 * The CNI network driver as a plain object (tests build it with {@code new}): networks are
 * conflists (the operator's, generated ones, the built-in {@code bridge}) and attachments are runs
 * of the standard CNI plugins. The driver's own state, under {@link CniSettings#stateDir()}, is the
 * generated conflists and host-local's leases; everything else an attachment needs is in its record.
 */
public class CniDriver implements NetworkDriver {
    /** The driver's id ({@code keel.driver.id}) and the {@code driver} of its network records. */
    public static final String ID = "cni";
    /** The plugins of the built-in and generated networks, and the loopback. */
    static final List<String> REQUIRED_PLUGINS = List.of("bridge", "host-local", "portmap", "firewall", "loopback");

    private final CniSettings settings;
    private final PluginRunner runner;
    private final Networks networks;
    private final Attachments attachments;
    private volatile String pluginVersions;

    public CniDriver(CniSettings settings) {
        this.settings = settings;
        Path scratch = settings.stateDir().resolve("tmp");
        Commands commands = new Commands(settings.timeout(), scratch);
        this.runner = new PluginRunner(settings.pluginDirs(), settings.timeout(), scratch);
        this.networks = new Networks(settings, new IpLinks(commands));
        this.attachments = new Attachments(networks, runner, new MasqChains(commands),
                new PublishedPorts(commands));
    }

    /**
     * Fails, naming what is missing, when this host cannot run the driver: a required plugin not in
     * CNI_PATH, or no iptables (the bridge plugin's masquerade and portmap run it). Removes what an
     * interrupted invocation left in the scratch directory.
     */
    public void probe() {
        REQUIRED_PLUGINS.forEach(runner::find);
        boolean iptables = Stream.of("/usr/sbin/iptables", "/sbin/iptables", "/usr/local/sbin/iptables")
                .anyMatch(p -> Files.isExecutable(Path.of(p)));
        if (!iptables) {
            throw KeelException.notFound("iptables is not installed: the CNI bridge plugin's masquerade and portmap "
                    + "need it (Debian package iptables)");
        }
        Path scratch = settings.stateDir().resolve("tmp");
        if (Files.isDirectory(scratch)) {
            try (Stream<Path> files = Files.list(scratch)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                throw KeelException.internal("cannot clean " + scratch + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("driver", ID);
        facts.put("cni.path", runner.cniPath());
        facts.put("cni.confdir", settings.confDir().toString());
        String versions = pluginVersions;
        if (versions == null) {
            versions = pluginVersions = versions(); // once: describe() is cheap after the first call
        }
        facts.put("cni.versions", versions);
        facts.put("state", settings.stateDir().toString());
        facts.put("networks", Integer.toString(networks.count()));
        List<String> problems = networks.problems();
        if (!problems.isEmpty()) {
            facts.put("unusable configurations", String.join("; ", problems));
        }
        return facts;
    }

    @Override
    public NetworkRecord create(NetworkConfig config) {
        return networks.create(config);
    }

    @Override
    public void delete(NetworkRecord network) {
        networks.delete(network);
    }

    @Override
    public Attachment attach(NetworkRecord network, AttachRequest request) {
        return attachments.attach(network, request);
    }

    @Override
    public void detach(Attachment attachment) {
        attachments.detach(attachment);
    }

    @Override
    public void check(Attachment attachment) {
        attachments.check(attachment);
    }

    @Override
    public Attachment adopt(Attachment attachment) {
        return attachments.adopt(attachment);
    }

    /** The spec versions the bridge plugin speaks (its VERSION answer). */
    private String versions() {
        try {
            JsonNode answer = runner.run("bridge", new PluginRunner.Call("VERSION", "", "", "", ""),
                    (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.createObjectNode()
                            .put("cniVersion", BridgeConfList.CNI_VERSION));
            return answer == null ? "?" : answer.path("supportedVersions").toString();
        } catch (KeelException e) {
            return "unknown: " + e.getMessage();
        }
    }
}
