package keel.kernel.volumes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.volume.VolumeInfo;
import keel.kernel.state.AtomicFiles;
import keel.kernel.state.Json;

/**
 * The local volumes under {@code <root>/volumes}: {@code NAME/_data} holds the data and
 * {@code NAME/volume.json} the record, written atomically and last, so a volume exists exactly
 * when its record does. A removal deletes the record first; start-up deletes directories without
 * a record (a create or remove cut short). Names are checked before they become paths.
 */
public final class VolumeStore {
    private static final String RECORD = "volume.json";
    private static final String DATA = "_data";

    private final Path dir;

    public VolumeStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path volume : entries.toList()) {
                    if (Files.isDirectory(volume, LinkOption.NOFOLLOW_LINKS)
                            && !Files.exists(volume.resolve(RECORD), LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(volume);
                    } else if (Files.isDirectory(volume, LinkOption.NOFOLLOW_LINKS)) {
                        AtomicFiles.removeDebris(volume);
                    }
                }
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Docker's volume names: a letter or digit, then letters, digits, {@code _ . -}; 2 to 128 characters. */
    public static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{1,127}")) {
            throw KeelException.invalid("invalid volume name '%s': use 2-128 of [a-zA-Z0-9_.-], starting with a "
                    + "letter or digit", name);
        }
        return name;
    }

    /** A new anonymous volume's name: 64 hex digits, as Docker's. */
    public static String anonymousName() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The volume {@code name}, made (empty) if it does not exist; the flag says whether it was made now. */
    public synchronized Created create(String name, Map<String, String> labels) {
        Optional<VolumeInfo> existing = find(name);
        if (existing.isPresent()) {
            return new Created(existing.get(), false);
        }
        Path home = dir.resolve(checkName(name));
        try {
            deleteTree(home); // debris of a create cut short
            Files.createDirectories(home.resolve(DATA));
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot make volume " + name + ": " + e.getMessage(), e);
        }
        VolumeInfo info = new VolumeInfo(name, "local", home.resolve(DATA).toString(), Instant.now(), labels);
        AtomicFiles.write(home.resolve(RECORD), Json.write(info));
        return new Created(info, true);
    }

    /** A volume and whether {@link #create} made it just now. */
    public record Created(VolumeInfo volume, boolean isNew) {
    }

    public synchronized Optional<VolumeInfo> find(String name) {
        Path record = dir.resolve(checkName(name)).resolve(RECORD);
        try {
            return Optional.of(Json.read(Files.readAllBytes(record), Json.MAPPER.constructType(VolumeInfo.class),
                    record.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + record + ": " + e.getMessage(), e);
        }
    }

    public VolumeInfo get(String name) {
        return find(name).orElseThrow(() -> KeelException.notFound("no such volume: %s", name));
    }

    public synchronized List<VolumeInfo> list() {
        List<VolumeInfo> volumes = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path volume : entries.sorted().toList()) {
                String name = volume.getFileName().toString();
                if (name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{1,127}")) {
                    find(name).ifPresent(volumes::add);
                }
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + dir + ": " + e.getMessage(), e);
        }
        return volumes;
    }

    /** Deletes the record (the volume is gone from then on), then its data. */
    public synchronized void remove(String name) {
        Path home = dir.resolve(checkName(name));
        try {
            Files.deleteIfExists(home.resolve(RECORD));
            deleteTree(home);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot remove volume " + name + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a tree without following symlinks (Files.walk does not follow them). */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
