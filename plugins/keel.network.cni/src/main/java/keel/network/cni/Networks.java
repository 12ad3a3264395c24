package keel.network.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.network.NetworkConfig;
import keel.api.network.NetworkRecord;

/**
 * Which conflist a network runs, and the networks the driver makes. A network's conflist is,
 * first, an operator's file in the configuration directory whose {@code name} is the network's;
 * else the one generated at {@code keel network create} ({@code <state>/networks/<name>.conflist});
 * else, for {@code bridge}, the built-in one. Lookups go by name, so a network record made by
 * another driver (before a swap) finds its conflist too.
 */
final class Networks {
    static final String DEFAULT_NETWORK = "bridge";
    static final String OPTION_BRIDGE = "bridge.name";
    static final String OPTION_MTU = "mtu";
    private static final Set<String> OPTIONS = Set.of(OPTION_BRIDGE, OPTION_MTU);
    /** driverData keys of a {@link NetworkRecord}. */
    static final String DATA_SOURCE = "conflist";
    static final String DATA_BRIDGE = "bridge";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final CniSettings settings;
    private final IpLinks links;

    Networks(CniSettings settings, IpLinks links) {
        this.settings = settings;
        this.links = links;
    }

    /** The conflist of {@code name}, or not-found naming where it was looked for. */
    ConfList confList(String name) {
        Names.checkNetworkName(name);
        return find(name).orElseThrow(() -> KeelException.notFound("network %s has no CNI configuration: no conflist "
                + "named %s in %s nor %s; create it with 'keel network create %s'", name, name, settings.confDir(),
                settings.networksDir(), name));
    }

    Optional<ConfList> find(String name) {
        Optional<ConfList> configured = configured().stream().filter(c -> c.name().equals(name)).findFirst();
        if (configured.isPresent()) {
            return configured;
        }
        Path generated = generatedFile(name);
        if (Files.exists(generated)) {
            return Optional.of(ConfList.parse(read(generated), generated.toString(), false));
        }
        return name.equals(DEFAULT_NETWORK) ? Optional.of(builtIn()) : Optional.empty();
    }

    /** The built-in {@code bridge} network: the settings' bridge and subnet. */
    ConfList builtIn() {
        return BridgeConfList.of(DEFAULT_NETWORK, settings.defaultBridge(), Cidr.parse(settings.defaultSubnet()), null, 0,
                settings.ipamDir(), "built-in");
    }

    /**
     * The operator's conflists ({@code *.conflist}, and single-plugin {@code *.conf}/{@code *.json}),
     * in file name order; for two of one name the first counts (libcni's rule). Unreadable files
     * are skipped here and named by {@link #problems()}.
     */
    List<ConfList> configured() {
        List<ConfList> lists = new ArrayList<>();
        for (Path file : configFiles()) {
            try {
                ConfList list = ConfList.parse(read(file), file.toString(), !file.toString().endsWith(".conflist"));
                if (lists.stream().noneMatch(l -> l.name().equals(list.name()))) {
                    lists.add(list);
                }
            } catch (KeelException e) {
                // named by problems()
            }
        }
        return lists;
    }

    /** The configuration files that cannot be used, each with why. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Path file : configFiles()) {
            try {
                ConfList.parse(read(file), file.toString(), !file.toString().endsWith(".conflist"));
            } catch (KeelException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    NetworkRecord create(NetworkConfig config) {
        Names.checkNetworkName(config.name());
        for (String key : config.options().keySet()) {
            if (!OPTIONS.contains(key)) {
                throw KeelException.invalid("unknown option '%s' for a CNI network: expected one of %s", key,
                        OPTIONS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        int mtu = mtuOption(config.options().get(OPTION_MTU));
        String id = HexFormat.of().formatHex(randomBytes(32));
        synchronized (Networks.class) {
            Optional<ConfList> configured = configured().stream().filter(c -> c.name().equals(config.name())).findFirst();
            if (configured.isPresent()) {
                if (config.subnet() != null || config.gateway() != null || !config.options().isEmpty()) {
                    throw KeelException.invalid("network %s is configured by %s: set its subnet, gateway and options "
                            + "there", config.name(), configured.get().source());
                }
                return record(id, configured.get());
            }
            Path file = generatedFile(config.name());
            if (Files.exists(file)) {
                throw new KeelException(ErrorKind.ALREADY_EXISTS, "network " + config.name() + " already exists ("
                        + file + "): choose another name or delete it first");
            }
            boolean isDefault = config.name().equals(DEFAULT_NETWORK);
            String bridge = config.options().getOrDefault(OPTION_BRIDGE, isDefault ? settings.defaultBridge()
                    : settings.bridgePrefix() + id.substring(0, 15 - settings.bridgePrefix().length()));
            Names.checkInterfaceName(bridge, "bridge");
            List<Use> inUse = subnetsInUse(bridge, config.name());
            Cidr subnet = config.subnet() != null ? requested(config.subnet(), inUse)
                    : isDefault ? requested(settings.defaultSubnet(), inUse) : choose(inUse);
            String gateway = gateway(config.gateway(), subnet);
            ConfList list = BridgeConfList.of(config.name(), bridge, subnet, gateway, mtu, settings.ipamDir(),
                    file.toString());
            write(file, list.toJson());
            return record(id, list);
        }
    }

    /** Removes a generated network's conflist, bridge and leases; refused while an address is leased. */
    void delete(NetworkRecord network) {
        Names.checkNetworkName(network.name());
        synchronized (Networks.class) {
            List<String> users = leaseHolders(network.name());
            if (!users.isEmpty()) {
                throw KeelException.conflict("network %s is in use by %d attachment(s) (containers %s): detach them first",
                        network.name(), users.size(), String.join(", ", users));
            }
            Optional<ConfList> list = find(network.name());
            if (list.isEmpty() || configured().stream().anyMatch(c -> c.name().equals(network.name()))) {
                return; // nothing of ours (an operator's file stays the operator's)
            }
            String bridge = list.get().plugin("bridge").map(p -> Json.string(p, "bridge")).orElse(null);
            if (bridge != null && (bridge.equals(settings.defaultBridge()) || bridge.startsWith(settings.bridgePrefix()))) {
                links.deleteBridge(bridge);
            }
            deleteTree(settings.ipamDir().resolve(network.name()));
            try {
                Files.deleteIfExists(generatedFile(network.name()));
            } catch (IOException e) {
                throw KeelException.internal("cannot delete " + generatedFile(network.name()) + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The containers holding an address of network {@code name} in host-local's directory (one
     * file per address, named by it, holding the container id and interface; plus {@code lock} and
     * {@code last_reserved_ip.N}).
     */
    List<String> leaseHolders(String name) {
        Path dir = settings.ipamDir().resolve(name);
        List<String> holders = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return holders;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                if (fileName.equals("lock") || fileName.startsWith("last_reserved_ip")) {
                    continue;
                }
                holders.add(Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("?").strip()
                        + " (" + fileName + ")");
            }
        } catch (IOException e) {
            throw KeelException.internal("cannot read the leases in " + dir + ": " + e.getMessage(), e);
        }
        return holders;
    }

    int count() {
        Set<String> names = new java.util.HashSet<>();
        configured().forEach(c -> names.add(c.name()));
        try (Stream<Path> files = Files.isDirectory(settings.networksDir()) ? Files.list(settings.networksDir()) : Stream.empty()) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".conflist"))
                    .forEach(f -> names.add(f.substring(0, f.length() - ".conflist".length())));
        } catch (IOException e) {
            throw KeelException.internal("cannot list " + settings.networksDir() + ": " + e.getMessage(), e);
        }
        return names.size();
    }

    private NetworkRecord record(String id, ConfList list) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(DATA_SOURCE, list.source());
        list.plugin("bridge").map(p -> Json.string(p, "bridge")).ifPresent(b -> data.put(DATA_BRIDGE, b));
        return new NetworkRecord(id, list.name(), CniDriver.ID, list.subnet(), list.gateway(), data);
    }

    /** What a network's subnet must not overlap, and what uses it. */
    private record Use(Cidr subnet, String what) {
    }

    private List<Use> subnetsInUse(String ownBridge, String ownName) {
        List<Use> uses = new ArrayList<>();
        for (HostRoutes.Route route : HostRoutes.read()) {
            if (!route.device().equals(ownBridge)) {
                uses.add(new Use(route.destination(), "a route of the host via " + route.device()));
            }
        }
        List<ConfList> others = new ArrayList<>(configured());
        try (Stream<Path> files = Files.isDirectory(settings.networksDir()) ? Files.list(settings.networksDir()) : Stream.empty()) {
            for (Path f : files.filter(f -> f.toString().endsWith(".conflist")).toList()) {
                others.add(ConfList.parse(read(f), f.toString(), false));
            }
        } catch (IOException e) {
            throw KeelException.internal("cannot list " + settings.networksDir() + ": " + e.getMessage(), e);
        }
        if (others.stream().noneMatch(c -> c.name().equals(DEFAULT_NETWORK))) {
            others.add(builtIn());
        }
        for (ConfList other : others) {
            String subnet = other.subnet();
            if (!other.name().equals(ownName) && subnet != null && subnet.contains(".")) {
                try {
                    uses.add(new Use(Cidr.parse(subnet), "network " + other.name()));
                } catch (KeelException e) {
                    // an operator's file with a subnet its plugin will refuse: that network uses nothing
                }
            }
        }
        return uses;
    }

    private static Cidr requested(String text, List<Use> inUse) {
        Cidr subnet = Cidr.parse(text);
        if (subnet.prefixLength() < 8 || subnet.prefixLength() > 30) {
            throw KeelException.invalid("subnet %s: the prefix length must be 8 to 30", subnet);
        }
        inUse.stream().filter(u -> u.subnet().overlaps(subnet)).findFirst().ifPresent(u -> {
            throw KeelException.conflict("subnet %s overlaps %s (%s): choose another subnet", subnet, u.subnet(), u.what());
        });
        return subnet;
    }

    /** The first free 10.89.N.0/24 (N = 1..255; 0 is the built-in network's). */
    private static Cidr choose(List<Use> inUse) {
        for (int n = 1; n < 256; n++) {
            Cidr candidate = Cidr.parse("10.89." + n + ".0/24");
            if (inUse.stream().noneMatch(u -> u.subnet().overlaps(candidate))) {
                return candidate;
            }
        }
        throw KeelException.conflict("no free subnet in 10.89.0.0/16 for a new network: give one with --subnet");
    }

    private static String gateway(String text, Cidr subnet) {
        if (text == null) {
            return null;
        }
        int gateway = Cidr.ipv4(text);
        if (!subnet.contains(gateway) || gateway == subnet.address() || gateway == subnet.broadcast()) {
            throw KeelException.invalid("gateway %s is not a host address of subnet %s", text, subnet);
        }
        return Cidr.text(gateway);
    }

    private static int mtuOption(String text) {
        if (text == null) {
            return 0;
        }
        if (text.matches("[0-9]{2,5}") && Integer.parseInt(text) >= 68 && Integer.parseInt(text) <= 65535) {
            return Integer.parseInt(text);
        }
        throw KeelException.invalid("option %s=%s: expected a number from 68 to 65535", OPTION_MTU, text);
    }

    private Path generatedFile(String name) {
        return settings.networksDir().resolve(name + ".conflist");
    }

    private List<Path> configFiles() {
        if (!Files.isDirectory(settings.confDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(settings.confDir())) {
            return files.filter(f -> f.toString().endsWith(".conflist") || f.toString().endsWith(".conf")
                    || f.toString().endsWith(".json")).filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw KeelException.internal("cannot list " + settings.confDir() + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > (1 << 20)) {
                throw KeelException.invalid("network configuration %s is larger than 1 MiB", file);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw KeelException.invalid("cannot read network configuration %s: %s", file, e.getMessage());
        }
    }

    /** Temporary file, fsync, rename over the target, fsync the directory: a reader sees the old file or the new. */
    private static void write(Path file, String text) {
        Path dir = file.getParent();
        Path temp = dir.resolve(".tmp-" + file.getFileName());
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(StandardCharsets.UTF_8.encode(text));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the failure below is what matters
            }
            throw KeelException.internal("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw KeelException.internal("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
