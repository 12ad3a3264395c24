package keel.storage.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.runtime.Mount;
import keel.api.storage.SnapshotKind;

/** The mounts the overlay layout returns, as data: no kernel needed. */
class OverlayLayoutTest {
    private static final Path HOME = Path.of("/var/lib/keel/storage.overlay");
    private final OverlayLayout layout = new OverlayLayout(false);

    @Test
    void activeOnAChainIsOneOverlayWithAbsoluteLowerdirsNearestFirst() {
        List<Mount> mounts = layout.mounts(HOME, 4, SnapshotKind.ACTIVE, List.of(3L, 2L, 1L));
        assertEquals(List.of(new Mount("", "overlay", "overlay", List.of(
                "lowerdir=/var/lib/keel/storage.overlay/fs/3:/var/lib/keel/storage.overlay/fs/2:"
                        + "/var/lib/keel/storage.overlay/fs/1",
                "upperdir=/var/lib/keel/storage.overlay/fs/4", "workdir=/var/lib/keel/storage.overlay/work/4"))),
                mounts);
    }

    @Test
    void withoutParentsOrOnOneLayerABindMountIsEnough() {
        assertEquals(List.of(new Mount("", "bind", "/var/lib/keel/storage.overlay/fs/7", List.of("rbind", "rw"))),
                layout.mounts(HOME, 7, SnapshotKind.ACTIVE, List.of()));
        assertEquals(List.of(new Mount("", "bind", "/var/lib/keel/storage.overlay/fs/7", List.of("rbind", "ro"))),
                layout.mounts(HOME, 7, SnapshotKind.VIEW, List.of()));
        assertEquals(List.of(new Mount("", "bind", "/var/lib/keel/storage.overlay/fs/3", List.of("rbind", "ro"))),
                layout.mounts(HOME, 8, SnapshotKind.VIEW, List.of(3L)));
        assertEquals(List.of(new Mount("", "overlay", "overlay", List.of("ro",
                "lowerdir=/var/lib/keel/storage.overlay/fs/3:/var/lib/keel/storage.overlay/fs/2"))),
                layout.mounts(HOME, 8, SnapshotKind.VIEW, List.of(3L, 2L)));
    }

    @Test
    void indexIsTurnedOffWhereTheKernelEnablesItByDefault() {
        List<String> options = new OverlayLayout(true).mounts(HOME, 4, SnapshotKind.ACTIVE, List.of(3L)).get(0).options();
        assertEquals("index=off", options.get(0));
    }

    /**
     * The arithmetic: under /var/lib/keel an absolute lowerdir is "/var/lib/keel/storage.overlay/fs/"
     * (33 bytes) + the id + ':' — 128 layers with ids 1..128 take 4,627 bytes, more than the page
     * mount(2) copies. Relative to fs/ the same chain is 1..3 digits + ':' a layer, 403 bytes.
     */
    @Test
    void a128LayerChainSwitchesToRelativeLowerdirsThatFitInAPage() {
        List<Long> parents = LongStream.rangeClosed(1, 128).map(i -> 129 - i).boxed().toList();
        String absolute = parents.stream().map(p -> HOME + "/fs/" + p).collect(Collectors.joining(":"));
        assertEquals(4627, absolute.length());
        assertTrue(absolute.length() > OverlayLayout.MOUNT_DATA_LIMIT);

        Mount m = layout.mounts(HOME, 129, SnapshotKind.ACTIVE, parents).get(0);
        assertEquals("overlay", m.type());
        assertEquals("lowerdir=" + parents.stream().map(String::valueOf).collect(Collectors.joining(":")),
                m.options().get(0));
        assertTrue(m.options().contains("x-keel.chdir=/var/lib/keel/storage.overlay/fs"), m.options().toString());
        assertTrue(m.options().contains("upperdir=129"), m.options().toString());
        assertTrue(m.options().contains("workdir=../work/129"), m.options().toString());
        int data = OverlayLayout.dataLength(m.options());
        assertTrue(data < 1024, "relative options take " + data + " bytes");
    }

    @Test
    void theDeepestStackOverlayAllowsFitsEvenWithLongIdsAndALongRoot() {
        Path longHome = Path.of("/srv/" + "k".repeat(200) + "/storage.overlay");
        List<Long> parents = LongStream.range(0, OverlayLayout.MAX_LAYERS - 1).map(i -> 9_999_999 - i).boxed().toList();
        Mount m = layout.mounts(longHome, 10_000_000, SnapshotKind.ACTIVE, parents).get(0);
        assertTrue(OverlayLayout.dataLength(m.options()) <= OverlayLayout.MOUNT_DATA_LIMIT,
                "499 layers of 7-digit ids: " + OverlayLayout.dataLength(m.options()));
    }

    @Test
    void moreLayersThanOverlayStacksAreRefusedBeforeAnythingIsMade() {
        List<Long> parents = LongStream.rangeClosed(1, OverlayLayout.MAX_LAYERS).boxed().toList();
        KeelException e = assertThrows(KeelException.class, () -> layout.checkParents(parents));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        layout.checkParents(parents.subList(0, OverlayLayout.MAX_LAYERS - 1));
    }
}
