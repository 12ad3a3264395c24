package keel.it.kernel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

import keel.api.driver.DriverKind;
import keel.api.kernel.DriverKindReport;
import keel.api.kernel.DriverReport;
import keel.api.kernel.DriverService;

/** The test driver bundles (integration-tests/test-drivers) and helpers to install and watch them. */
final class TestDrivers {
    private TestDrivers() {
    }

    static Path jar(BundleContext context, String id) {
        Path jar = Path.of(context.getProperty("keel.it.drivers"))
                .resolve("keel.testdriver." + id + "/target/keel.testdriver." + id + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("test driver not built: " + jar);
        }
        return jar;
    }

    static Bundle installAndStart(BundleContext context, String id) throws IOException, BundleException {
        try (InputStream in = Files.newInputStream(jar(context, id))) {
            Bundle bundle = context.installBundle("keel-it:" + id, in);
            bundle.start();
            return bundle;
        }
    }

    /** The test driver's jar with its Bundle-Version changed: a "new version" of the same bundle. */
    static InputStream withVersion(BundleContext context, String id, String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar(context, id)))) {
            Manifest manifest = in.getManifest();
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    static Optional<DriverReport> bound(DriverService drivers, DriverKind kind) {
        return report(drivers, kind).bound();
    }

    static DriverKindReport report(DriverService drivers, DriverKind kind) {
        return drivers.drivers().stream().filter(r -> r.kind() == kind).findFirst().orElseThrow();
    }

    /** Waits until {@code condition} holds, polling; returns how long it took, or fails after {@code max}. */
    static Duration await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > max.toNanos()) {
                throw new AssertionError("not within " + max.toMillis() + " ms: " + what);
            }
            Thread.sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    static void uninstallQuietly(Bundle bundle) {
        if (bundle != null && bundle.getState() != Bundle.UNINSTALLED) {
            try {
                bundle.uninstall();
            } catch (BundleException | IllegalStateException e) {
                // already gone
            }
        }
    }
}
