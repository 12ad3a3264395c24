package keel.kernel.volumes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import keel.api.KeelException;
import keel.api.container.MountPoint;
import keel.api.container.MountRequest;
import keel.api.volume.VolumeInfo;

/**
 * Turns the mounts a container asks for into what it gets, as Docker's daemon does: a missing
 * host directory of a {@code -v} bind is made, a named volume is made on first use, an anonymous
 * one for {@code -v /dir} and for each VOLUME of the image no mount covers, and an empty volume no
 * container uses gets a copy of what the image has at its target (copy-up). Checks every path before anything
 * is made.
 */
public final class MountResolver {
    private final VolumeStore volumes;
    private final Predicate<String> inUse;

    /**
     * @param inUse whether a container uses the volume of that name: copy-up never writes into a
     *        volume a running container could plant a symlink in meanwhile
     */
    public MountResolver(VolumeStore volumes, Predicate<String> inUse) {
        this.volumes = volumes;
        this.inUse = inUse;
    }

    /**
     * @param mounts what was made; {@code newVolumes} the volumes made for it (removed again if the
     *        container is not made after all)
     */
    public record Resolved(List<MountPoint> mounts, List<String> newVolumes) {
    }

    /**
     * @param requests the mounts asked for
     * @param imageVolumes the image's VOLUME paths
     * @param layers the directories of the container's root, top first (one for --rootfs), for copy-up
     */
    public Resolved resolve(List<MountRequest> requests, Set<String> imageVolumes, List<Path> layers) {
        List<MountRequest> all = new ArrayList<>(requests);
        Set<String> targets = new HashSet<>();
        for (MountRequest r : requests) {
            check(r);
            if (!targets.add(r.target())) {
                throw KeelException.invalid("duplicate mount point: %s", r.target());
            }
        }
        for (String v : imageVolumes.stream().sorted().toList()) {
            String target = v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            if (!isCleanAbsolute(target) || target.equals("/")) {
                throw KeelException.invalid("the image declares an invalid VOLUME '%s': it must be a clean "
                        + "absolute path other than /", v);
            }
            if (targets.add(target)) {
                all.add(new MountRequest(MountRequest.VOLUME, null, target, false, false, null, null));
            }
        }
        List<MountPoint> mounts = new ArrayList<>();
        List<String> made = new ArrayList<>();
        try {
            for (MountRequest r : all) {
                mounts.add(switch (r.type()) {
                    case MountRequest.BIND -> bind(r);
                    case MountRequest.TMPFS -> tmpfs(r);
                    default -> volume(r, layers, made);
                });
            }
        } catch (RuntimeException e) {
            made.forEach(volumes::remove);
            throw e;
        }
        return new Resolved(mounts, made);
    }

    private static void check(MountRequest r) {
        if (!List.of(MountRequest.BIND, MountRequest.VOLUME, MountRequest.TMPFS).contains(r.type())) {
            throw KeelException.invalid("invalid mount type '%s': use bind, volume or tmpfs", r.type());
        }
        if (r.target() == null || !isCleanAbsolute(r.target())) {
            throw KeelException.invalid("invalid mount target '%s': it must be an absolute path without . or .. "
                    + "parts", r.target());
        }
        if (r.target().equals("/")) {
            throw KeelException.invalid("invalid mount target /: the root cannot be a mount");
        }
        if (r.type().equals(MountRequest.BIND) && (r.source() == null || !isCleanAbsolute(r.source()))) {
            throw KeelException.invalid("invalid bind source '%s': it must be an absolute host path", r.source());
        }
        if (r.type().equals(MountRequest.VOLUME) && r.source() != null) {
            VolumeStore.checkName(r.source());
        }
        if (r.type().equals(MountRequest.TMPFS) && r.source() != null) {
            throw KeelException.invalid("a tmpfs mount has no source (given '%s')", r.source());
        }
    }

    /** Absolute, no empty, {@code .} or {@code ..} component, no NUL, at most 4096 bytes. */
    static boolean isCleanAbsolute(String path) {
        if (!path.startsWith("/") || path.contains("\0") || path.length() > 4096) {
            return false;
        }
        if (path.equals("/")) {
            return true;
        }
        for (String part : path.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static MountPoint bind(MountRequest r) {
        Path source = Path.of(r.source());
        if (!Files.exists(source)) {
            if (!r.createSource()) {
                throw KeelException.invalid("bind source path does not exist: %s", r.source());
            }
            try {
                Files.createDirectories(source);
            } catch (IOException e) {
                throw KeelException.invalid("cannot create the bind source %s: %s", r.source(), e.getMessage());
            }
        }
        return new MountPoint(MountRequest.BIND, null, r.source(), r.target(), !r.readOnly(), List.of());
    }

    private static MountPoint tmpfs(MountRequest r) {
        List<String> options = new ArrayList<>();
        if (r.tmpfsSize() != null) {
            options.add("size=" + r.tmpfsSize());
        }
        if (r.tmpfsMode() != null) {
            options.add("mode=" + Integer.toOctalString(r.tmpfsMode()));
        }
        return new MountPoint(MountRequest.TMPFS, null, "", r.target(), !r.readOnly(), options);
    }

    private MountPoint volume(MountRequest r, List<Path> layers, List<String> made) {
        boolean anonymous = r.source() == null;
        String name = anonymous ? VolumeStore.anonymousName() : r.source();
        VolumeStore.Created created = volumes.create(name, anonymous ? Map.of(VolumeInfo.ANONYMOUS, "") : Map.of());
        if (created.isNew()) {
            made.add(name);
        }
        Path data = Path.of(created.volume().mountpoint());
        if (!inUse.test(name)) {
            CopyUp.intoEmpty(layers, r.target(), data);
        }
        return new MountPoint(MountRequest.VOLUME, name, data.toString(), r.target(), !r.readOnly(), List.of());
    }
}
