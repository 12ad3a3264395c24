package keel.it.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * What the in-framework driver tests share: the busybox root filesystem (made once by the
 * benchmarks' script), bundles by symbolic name, a command run to success, and the daemon's
 * cgroup parent, removed at the end.
 */
final class Fixtures {
    /** The cgroup parent of this module's framework (it.bndrun: keel.cgroup.parent). */
    static final String PARENT = "keel-it-drivers";

    private Fixtures() {
    }

    /** The busybox root filesystem ({@code keel.it.rootfs}), made if it is not there yet. */
    static Path busyboxRootfs(BundleContext context) throws Exception {
        Path rootfs = Path.of(context.getProperty("keel.it.rootfs"));
        if (!Files.exists(rootfs.resolve("bin/busybox"))) {
            sh("bash", Path.of(context.getProperty("keel.it.bench")).resolve("busybox-rootfs.sh").toString(),
                    rootfs.toString());
        }
        return rootfs;
    }

    /** A test's own directory beside the root filesystem, holding busybox.tar (the rootfs as one layer). */
    static Path busyboxTar(BundleContext context, String test) throws Exception {
        Path rootfs = busyboxRootfs(context);
        Path work = Files.createDirectories(rootfs.resolveSibling(test));
        sh("tar", "-C", rootfs.toString(), "-cf", work.resolve("busybox.tar").toString(), ".");
        return work;
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }

    /** Removes the (empty) cgroup parent from every v1 hierarchy; fails if a container's cgroup is left. */
    static void removeCgroupParent() throws IOException {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(PARENT);
                if (Files.isDirectory(parent) && !Files.isSymbolicLink(h)) {
                    Files.delete(parent);
                }
            }
        }
    }
}
