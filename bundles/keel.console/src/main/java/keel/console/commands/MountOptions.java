package keel.console.commands;

import java.util.ArrayList;
import java.util.List;

import keel.api.KeelException;
import keel.api.container.MountRequest;
import keel.console.command.Arguments;
import keel.console.command.Option;

/** {@code -v}, {@code --mount} and {@code --tmpfs} of {@code keel run}/{@code create}, in Docker's syntax. */
final class MountOptions {
    static final List<Option> OPTIONS = List.of(
            Option.value("volume", 'v', "[SRC:]DST[:ro|rw]",
                    "bind a host directory (SRC absolute, made if missing), mount a named volume (SRC a name, made "
                            + "on first use), or an anonymous volume (DST only) (repeatable)"),
            Option.value("mount", (char) 0, "type=bind|volume|tmpfs,source=..,target=..[,readonly][,tmpfs-size=..]",
                    "a mount in Docker's --mount syntax (repeatable)"),
            Option.value("tmpfs", (char) 0, "DST[:size=..,mode=..]", "a tmpfs at DST (noexec, nosuid, nodev) (repeatable)"),
            Option.flag("read-only", (char) 0, "the root filesystem read-only (mounts stay as given)"));

    private MountOptions() {
    }

    /** Every mount asked for, in the order -v, --mount, --tmpfs. */
    static List<MountRequest> mounts(Arguments a) {
        List<MountRequest> mounts = new ArrayList<>();
        a.all("volume").forEach(v -> mounts.add(volume(v)));
        a.all("mount").forEach(m -> mounts.add(mount(m)));
        a.all("tmpfs").forEach(t -> mounts.add(tmpfs(t)));
        return mounts;
    }

    /** {@code -v DST}, {@code -v SRC:DST[:OPTS]}: SRC absolute is a bind (made if missing), else a volume's name. */
    static MountRequest volume(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length > 3 || spec.isEmpty()) {
            throw KeelException.invalid("invalid -v '%s': use [SRC:]DST[:ro|rw]", spec);
        }
        if (parts.length == 1) {
            return new MountRequest(MountRequest.VOLUME, null, target(parts[0], "-v", spec), false, false, null, null);
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            for (String o : parts[2].split(",")) {
                switch (o) {
                    case "ro" -> readOnly = true;
                    case "rw" -> readOnly = false;
                    default -> throw KeelException.invalid("invalid -v '%s': unknown option '%s' (use ro or rw)", spec, o);
                }
            }
        }
        String source = parts[0];
        String target = target(parts[1], "-v", spec);
        if (source.startsWith("/")) {
            return new MountRequest(MountRequest.BIND, clean(source), target, readOnly, true, null, null);
        }
        if (!source.matches("[A-Za-z0-9][A-Za-z0-9_.-]{1,127}")) {
            throw KeelException.invalid("invalid -v '%s': '%s' is neither an absolute host path nor a volume name "
                    + "([a-zA-Z0-9][a-zA-Z0-9_.-]+)", spec, source);
        }
        return new MountRequest(MountRequest.VOLUME, source, target, readOnly, false, null, null);
    }

    /** Docker's {@code --mount type=..,source=..,target=..[,readonly][,tmpfs-size=..][,tmpfs-mode=..]}. */
    static MountRequest mount(String spec) {
        String type = MountRequest.VOLUME;
        String source = null;
        String target = null;
        boolean readOnly = false;
        Long size = null;
        Integer mode = null;
        for (String field : spec.split(",")) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> type = required(value, key, spec);
                case "source", "src" -> source = required(value, key, spec);
                case "target", "destination", "dst" -> target = required(value, key, spec);
                case "readonly", "ro" -> readOnly = value == null || bool(value, key, spec);
                case "tmpfs-size" -> size = RunOptions.bytes(required(value, key, spec), "--mount tmpfs-size");
                case "tmpfs-mode" -> mode = mode(required(value, key, spec), "--mount " + spec);
                default -> throw KeelException.invalid("invalid --mount '%s': unknown key '%s' (use type, source, "
                        + "target, readonly, tmpfs-size, tmpfs-mode)", spec, key);
            }
        }
        if (!List.of(MountRequest.BIND, MountRequest.VOLUME, MountRequest.TMPFS).contains(type)) {
            throw KeelException.invalid("invalid --mount '%s': unknown type '%s' (use bind, volume or tmpfs)", spec,
                    type);
        }
        if (target == null) {
            throw KeelException.invalid("invalid --mount '%s': target is required", spec);
        }
        target = target(target, "--mount", spec);
        if ((size != null || mode != null) && !type.equals(MountRequest.TMPFS)) {
            throw KeelException.invalid("invalid --mount '%s': tmpfs-size and tmpfs-mode are for type=tmpfs", spec);
        }
        switch (type) {
            case MountRequest.BIND -> {
                if (source == null || !source.startsWith("/")) {
                    throw KeelException.invalid("invalid --mount '%s': a bind needs source=ABSOLUTE-HOST-PATH", spec);
                }
                source = clean(source);
            }
            case MountRequest.TMPFS -> {
                if (source != null) {
                    throw KeelException.invalid("invalid --mount '%s': a tmpfs has no source", spec);
                }
            }
            default -> {
                if (source != null && !source.matches("[A-Za-z0-9][A-Za-z0-9_.-]{1,127}")) {
                    throw KeelException.invalid("invalid --mount '%s': source '%s' is not a volume name", spec, source);
                }
            }
        }
        return new MountRequest(type, source, target, readOnly, false, size, mode);
    }

    /** {@code --tmpfs DST[:size=..,mode=..,ro|rw]}. */
    static MountRequest tmpfs(String spec) {
        int colon = spec.indexOf(':');
        String target = target(colon < 0 ? spec : spec.substring(0, colon), "--tmpfs", spec);
        Long size = null;
        Integer mode = null;
        boolean readOnly = false;
        if (colon >= 0) {
            for (String o : spec.substring(colon + 1).split(",")) {
                if (o.startsWith("size=")) {
                    size = RunOptions.bytes(o.substring(5), "--tmpfs size");
                } else if (o.startsWith("mode=")) {
                    mode = mode(o.substring(5), "--tmpfs " + spec);
                } else if (o.equals("ro") || o.equals("rw")) {
                    readOnly = o.equals("ro");
                } else {
                    throw KeelException.invalid("invalid --tmpfs '%s': unknown option '%s' (use size=, mode=, ro, rw)",
                            spec, o);
                }
            }
        }
        return new MountRequest(MountRequest.TMPFS, null, target, readOnly, false, size, mode);
    }

    /** A host path cleaned as Docker's filepath.Clean does it: no trailing slash, no . or .. parts. */
    private static String clean(String hostPath) {
        return java.nio.file.Path.of(hostPath).normalize().toString();
    }

    private static String target(String target, String flag, String spec) {
        if (!target.startsWith("/")) {
            throw KeelException.invalid("invalid %s '%s': the container path '%s' must be absolute", flag, spec, target);
        }
        String clean = target.length() > 1 && target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        for (String part : clean.substring(1).split("/", -1)) {
            if (clean.equals("/") || part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw KeelException.invalid("invalid %s '%s': the container path '%s' must be a clean path other "
                        + "than /", flag, spec, target);
            }
        }
        return clean;
    }

    private static String required(String value, String key, String spec) {
        if (value == null || value.isEmpty()) {
            throw KeelException.invalid("invalid --mount '%s': key '%s' needs a value", spec, key);
        }
        return value;
    }

    private static boolean bool(String value, String key, String spec) {
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw KeelException.invalid("invalid --mount '%s': %s=%s is not true or false", spec, key, value);
        };
    }

    private static int mode(String value, String what) {
        try {
            int mode = Integer.parseInt(value, 8);
            if (mode < 0 || mode > 07777) {
                throw new NumberFormatException();
            }
            return mode;
        } catch (NumberFormatException e) {
            throw KeelException.invalid("invalid mode '%s' in %s: use octal such as 1777", value, what);
        }
    }
}
