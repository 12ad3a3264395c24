package keel.storage.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import keel.api.KeelException;
import keel.api.layer.WhiteoutStyle;
import keel.api.runtime.Mount;
import keel.api.storage.SnapshotKind;
import keel.storage.base.Dir;
import keel.storage.base.Layout;
import keel.storage.base.Libc;
import keel.storage.base.NativeIOException;
import keel.storage.base.Stat;

/**
 * The overlayfs snapshotter's layout (containerd's {@code plugins/snapshots/overlay}): each
 * snapshot has {@code fs/<id>} (its layer: the upper directory while active, a lower directory
 * once committed) and, while active, {@code work/<id>} (overlay's work directory).
 *
 * <p>Mounts: an active snapshot on a parent is one {@code overlay} mount with the parent chain as
 * lowerdirs, nearest first; a snapshot without parent, and a view of a single layer, are a bind
 * mount of one {@code fs} directory (read-only for a view); a view of several layers is an
 * overlay with lowerdirs only.
 *
 * <p><b>Long chains.</b> {@code mount(2)} copies at most one page (4096 bytes, NUL included) of
 * options. Under {@code /var/lib/keel} an absolute lowerdir costs
 * {@code len("/var/lib/keel/storage.overlay/fs/<id>:")}, 35 to 37 bytes for ids below 1000: a chain
 * of 128 layers with ids 1..128 is 4,627 bytes of lowerdirs alone, which does not fit (no absolute
 * path under the state root can: the prefix is 33 bytes, the budget 32 a layer). So when the
 * absolute options would not fit, every path is given relative to {@code <home>/fs}: lowerdirs are
 * just ids ({@code "12:11:10"}), {@code upperdir=<id>}, {@code workdir=../work/<id>}, and the mount
 * carries the option {@code x-keel.chdir=<home>/fs}. The caller removes that option and makes the
 * mount with that directory as its working directory (containerd's and Docker's way: a thread
 * that did {@code unshare(CLONE_FS)}, or a helper process). 128 layers then take about 500 bytes;
 * overlay's own limit of 500 layers fits with ids of up to 7 digits. An {@code x-} option is a
 * userspace option in util-linux's convention, so a caller that does not know it fails the mount
 * rather than mounting something else.
 */
public final class OverlayLayout implements Layout {
    public static final String ID = "overlay";
    /** The userspace option that names the working directory relative lowerdirs are resolved in. */
    public static final String CHDIR_OPTION = "x-keel.chdir=";
    /** What {@code mount(2)} copies of its data argument: one page, NUL included (4096 on every arch we run). */
    static final int MOUNT_DATA_LIMIT = 4096;
    /** overlayfs refuses more lower layers than this ({@code OVL_MAX_STACK}). */
    static final int MAX_LAYERS = 500;

    private final boolean indexOff;

    public OverlayLayout() {
        this(readParameter("index"));
    }

    /** {@code kernelIndexDefault}: whether the kernel enables overlay's inode index by default (then the mounts say {@code index=off}, as containerd's do). */
    OverlayLayout(boolean kernelIndexDefault) {
        this.indexOff = kernelIndexDefault;
    }

    @Override
    public String driverId() {
        return ID;
    }

    @Override
    public List<String> snapshotDirs() {
        return List.of("fs", "work");
    }

    @Override
    public void checkHost(Path home) {
        String text = home.toString();
        for (char c : new char[] {',', ':', '\\', '\n', ' ', '\t'}) {
            if (text.indexOf(c) >= 0) {
                throw KeelException.unavailable("storage driver overlay cannot use %s: overlay mount options cannot "
                        + "name a path with '%s'; choose a keel.root without ',', ':', '\\' or white space", home,
                        c == '\n' ? "\\n" : c == '\t' ? "\\t" : String.valueOf(c));
            }
        }
        OverlayProbe.check(home);
    }

    @Override
    public void checkParents(List<Long> parents) {
        if (parents.size() >= MAX_LAYERS) {
            throw KeelException.conflict("a snapshot on this parent would stack %d layers: overlayfs stacks at most "
                    + "%d; flatten the image or use the copy storage driver", parents.size() + 1, MAX_LAYERS);
        }
    }

    @Override
    public void create(Path home, long id, SnapshotKind kind, List<Long> parents) throws IOException {
        Path fs = Layout.layer(home, id);
        mkdir(fs, 0755);
        if (kind == SnapshotKind.ACTIVE) {
            if (!parents.isEmpty()) {
                // the merged root takes its owner and mode from the upper directory: keep the image's
                inheritRoot(Layout.layer(home, parents.get(0)), fs);
            }
            mkdir(work(home, id), 0711);
        }
    }

    private static void mkdir(Path dir, int mode) throws IOException {
        if (Libc.mkdirat(Libc.AT_FDCWD, Libc.cstr(dir), mode) != 0) {
            throw NativeIOException.last("mkdir", dir.toString());
        }
        if (Libc.fchmodat(Libc.AT_FDCWD, Libc.cstr(dir), mode, 0) != 0) { // mkdir applies the umask
            throw NativeIOException.last("chmod", dir.toString());
        }
    }

    private static void inheritRoot(Path parent, Path fs) throws IOException {
        try (Dir from = Dir.open(parent); Dir to = Dir.open(fs)) {
            Stat st = from.stat();
            if (Libc.fchown(to.fd(), st.uid(), st.gid()) != 0) {
                throw NativeIOException.last("chown", fs.toString());
            }
            if (Libc.fchmod(to.fd(), st.permissions()) != 0) {
                throw NativeIOException.last("chmod", fs.toString());
            }
        }
    }

    @Override
    public List<Mount> mounts(Path home, long id, SnapshotKind kind, List<Long> parents) {
        boolean view = kind == SnapshotKind.VIEW;
        if (parents.isEmpty()) {
            return List.of(bind(Layout.layer(home, id), view));
        }
        if (view && parents.size() == 1) {
            return List.of(bind(Layout.layer(home, parents.get(0)), true));
        }
        List<String> absolute = options(view, parents.stream().map(p -> Layout.layer(home, p).toString())
                .collect(Collectors.joining(":")), Layout.layer(home, id).toString(), work(home, id).toString());
        if (dataLength(absolute) < MOUNT_DATA_LIMIT) {
            return List.of(new Mount("", "overlay", "overlay", absolute));
        }
        List<String> relative = options(view, parents.stream().map(String::valueOf).collect(Collectors.joining(":")),
                Long.toString(id), "../work/" + id);
        relative.add(CHDIR_OPTION + home.resolve("fs"));
        return List.of(new Mount("", "overlay", "overlay", relative));
    }

    private List<String> options(boolean view, String lowerdir, String upperdir, String workdir) {
        List<String> options = new ArrayList<>();
        if (view) {
            options.add("ro");
        }
        if (indexOff) {
            options.add("index=off");
        }
        options.add("lowerdir=" + lowerdir);
        if (!view) {
            options.add("upperdir=" + upperdir);
            options.add("workdir=" + workdir);
        }
        return options;
    }

    /** The bytes {@code mount(2)} would copy for these options: all but flags such as {@code ro}, comma-joined, NUL. */
    static int dataLength(List<String> options) {
        return options.stream().filter(o -> !o.equals("ro") && !o.startsWith("x-"))
                .collect(Collectors.joining(",")).getBytes(StandardCharsets.UTF_8).length + 1;
    }

    private static Mount bind(Path dir, boolean readOnly) {
        return new Mount("", "bind", dir.toString(), List.of("rbind", readOnly ? "ro" : "rw"));
    }

    private static Path work(Path home, long id) {
        return home.resolve("work").resolve(Long.toString(id));
    }

    @Override
    public List<keel.api.layer.Change> changes(Path home, long id, List<Long> parents) throws IOException {
        return keel.storage.base.LayerChanges.overlay(Layout.layer(home, id),
                parents.stream().map(p -> Layout.layer(home, p)).toList());
    }

    @Override
    public WhiteoutStyle whiteoutStyle() {
        return WhiteoutStyle.OVERLAY;
    }

    @Override
    public Map<String, String> describe(Path home) {
        return Map.of("overlay.index", indexOff ? "off (the kernel default is on)" : "off",
                "overlay.max.layers", Integer.toString(MAX_LAYERS));
    }

    private static boolean readParameter(String name) {
        try {
            Path p = Path.of("/sys/module/overlay/parameters", name);
            return Files.exists(p) && Files.readString(p).trim().equals("Y");
        } catch (IOException e) {
            return false;
        }
    }
}
