package keel.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.launcher.digest.NativeDigests;

/**
 * {@code keel daemon}: boots Felix with the distribution's bundles, in the foreground, with the
 * Gogo console when on a terminal; exits when the framework stops (console {@code exit},
 * {@code keel daemon stop}, SIGTERM). A framework restart (the console's {@code update 0}, or a
 * refresh of the system bundle) is not a stop: the framework starts again in this process, and
 * containers, whose supervisors are not the JVM's, run on through it.
 */
public final class Main {
    /** What the socket server registers once the daemon answers the CLI. */
    private static final String READY_SERVICE = "keel.console.socket.SocketServer";
    private static final String CONSOLE_BUNDLE = "org.apache.felix.gogo.shell";

    private static final long MAIN_STARTED = System.currentTimeMillis();

    private Main() {
    }

    public static void main(String[] args) {
        Distribution dist = Distribution.locate();
        Properties defaults = dist.defaults();
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(Arrays.asList(args), new DaemonOptions.Defaults(
                    Path.of(defaults.getProperty("keel.root")), Path.of(defaults.getProperty("keel.run"))),
                    System.console() != null);
        } catch (DaemonOptions.HelpRequested help) {
            System.out.print(DaemonOptions.HELP);
            System.exit(0);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("keel: " + e.getMessage());
            System.exit(125);
            return;
        }
        try {
            System.exit(run(dist, defaults, options));
        } catch (Exception e) {
            System.err.println("keel: the daemon failed to start: " + e.getMessage());
            LoggerFactory.getLogger(Main.class).error("the daemon failed to start", e);
            System.exit(125);
        }
    }

    private static int run(Distribution dist, Properties defaults, DaemonOptions options) throws Exception {
        prepareDirectories(options);
        String digests = NativeDigests.install(dist.home().resolve("lib/libkeel-digest.so"));
        System.setProperty("keel.root", options.root().toString());
        System.setProperty("keel.log.console", options.logLevel().toUpperCase(java.util.Locale.ROOT));
        System.setProperty("logback.configurationFile", dist.conf("logback.xml").toString());
        // Logback reads its configuration while Felix boots (two cores); SLF4J hands out substitute
        // loggers meanwhile and replays what they logged.
        Thread logging = new Thread(LoggerFactory::getILoggerFactory, "keel-logging-init");
        logging.start();
        try (DaemonLock lock = DaemonLock.acquire(options.run(), Duration.ofSeconds(15))) {
            long tLocked = System.currentTimeMillis();
            Path cache = FrameworkConfig.cache(options);
            RetiredCaches.retire(cache);
            Map<String, String> config = FrameworkConfig.of(options, defaults, dist.version());
            Framework framework = new FrameworkFactory().newFramework(config);
            framework.init();
            long tInit = System.currentTimeMillis();
            CountDownLatch ready = readiness(framework.getBundleContext());
            List<Bundle> bundles = install(framework.getBundleContext(), dist.bundles(), options.console());
            long tInstalled = System.currentTimeMillis();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework), "keel-shutdown"));
            framework.start();
            // one resolution of every bundle, not one per bundle start (each rebuilt the candidates)
            framework.adapt(FrameworkWiring.class).resolveBundles(bundles);
            long tResolved = System.currentTimeMillis();
            java.util.Map<String, Long> startMillis = new java.util.LinkedHashMap<>();
            for (Bundle bundle : bundles) {
                long t = System.nanoTime();
                start(bundle);
                startMillis.put(bundle.getSymbolicName(), (System.nanoTime() - t) / 1_000_000);
            }
            framework.adapt(FrameworkStartLevel.class).setStartLevel(2);
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the daemon socket did not come up within 30 s; see "
                        + options.root().resolve("logs/daemon.log"));
            }
            logging.join();
            Logger log = LoggerFactory.getLogger(Main.class);
            long now = System.currentTimeMillis();
            long millis = now - launchedAt();
            log.info("keel daemon {} ready {} ms after launch (pid {}, root {}, run {})", dist.version(), millis,
                    ProcessHandle.current().pid(), options.root(), options.run());
            log.debug("bundle start times (ms): {}", startMillis);
            log.info("digests: {}", digests);
            if (System.getProperty("keel.boot.profile") != null) {
                long launched = launchedAt();
                System.out.println("boot (ms after launch): main " + (MAIN_STARTED - launched) + ", locked "
                        + (tLocked - launched) + ", framework init " + (tInit - launched) + ", installed "
                        + (tInstalled - launched) + ", resolved " + (tResolved - launched) + ", ready "
                        + (now - launched));
                System.out.println("bundle start times (ms): " + startMillis);
            }
            if (options.exitWhenReady()) {
                // for bench/boot.sh: the wall clock at ready, and the time since keel-daemon started
                System.out.println("ready at " + now + " ms, " + millis + " ms after launch");
                System.out.flush();
                deleteRetired(cache);
                Runtime.getRuntime().halt(0);
            }
            Thread cleanup = new Thread(() -> deleteRetired(cache), "keel-cache-cleanup");
            cleanup.setDaemon(true);
            cleanup.start();
            for (FrameworkEvent stopped = framework.waitForStop(0); restarts(stopped);
                    stopped = framework.waitForStop(0)) {
                log.info("the framework restarts ({})", stopped.getType() == FrameworkEvent.STOPPED_UPDATE
                        ? "system bundle updated" : "system bundle refreshed");
                restart(framework, options);
                log.info("keel daemon ready again after a framework restart");
            }
            log.info("keel daemon stopped");
            return 0;
        }
    }

    private static boolean restarts(FrameworkEvent stopped) {
        return stopped.getType() == FrameworkEvent.STOPPED_UPDATE
                || stopped.getType() == FrameworkEvent.STOPPED_SYSTEM_REFRESHED;
    }

    /**
     * Starts the framework again after an update or refresh of the system bundle. Felix restarts
     * itself after an update on a thread of its own; starting it here as well is harmless (start
     * of a started framework does nothing) and covers a refresh. The bundles keep their installed
     * and started state (the cache is cleaned only on the first init); the start level goes back to
     * the beginning level, so the console's level is set again, as at boot.
     */
    private static void restart(Framework framework, DaemonOptions options) throws Exception {
        framework.start();
        framework.adapt(FrameworkStartLevel.class).setStartLevel(2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (framework.getBundleContext() == null
                || framework.getBundleContext().getServiceReference(READY_SERVICE) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the daemon socket did not come up within 30 s of a framework "
                        + "restart; see " + options.root().resolve("logs/daemon.log"));
            }
            Thread.sleep(20);
        }
    }

    /** When keel-daemon was started (it sets KEEL_LAUNCHED_AT_MS), else when this JVM's process started. */
    private static long launchedAt() {
        String stamp = System.getenv("KEEL_LAUNCHED_AT_MS");
        if (stamp != null && stamp.matches("\\d+")) {
            return Long.parseLong(stamp);
        }
        return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
    }

    private static void deleteRetired(Path cache) {
        try {
            RetiredCaches.deleteAll(cache);
        } catch (IOException e) {
            LoggerFactory.getLogger(Main.class).warn("could not delete the previous boot's bundle cache beside {}: {}",
                    cache, e.toString());
        }
    }

    private static void prepareDirectories(DaemonOptions options) throws IOException {
        for (Path dir : List.of(options.root(), options.run(), options.root().resolve("plugins"),
                options.root().resolve("logs"))) {
            Files.createDirectories(dir);
        }
        for (Path dir : List.of(options.root(), options.run())) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static CountDownLatch readiness(BundleContext context) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        ServiceListener listener = event -> {
            if (event.getType() == ServiceEvent.REGISTERED) {
                ready.countDown();
            }
        };
        context.addServiceListener(listener, "(" + Constants.OBJECTCLASS + "=" + READY_SERVICE + ")");
        return ready;
    }

    /**
     * Installs by reference (no copy into the cache); the console bundle only with a console, last.
     * Every other bundle keeps the initial start level, 1. The console bundle is told by its file
     * name (bnd-export names it {@code <symbolic name>-<version>.jar}): installing it only to
     * uninstall it again cost a bundle cache entry written and deleted at every boot.
     */
    private static List<Bundle> install(BundleContext context, List<Path> jars, boolean console)
            throws BundleException {
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            boolean consoleBundle = jar.getFileName().toString().startsWith(CONSOLE_BUNDLE + "-");
            if (consoleBundle && !console) {
                continue;
            }
            Bundle bundle = context.installBundle("reference:" + jar.toUri());
            if (consoleBundle) {
                bundle.adapt(BundleStartLevel.class).setStartLevel(2);
            }
            bundles.add(bundle);
        }
        return bundles;
    }

    private static void start(Bundle bundle) {
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return;
        }
        try {
            bundle.start();
        } catch (BundleException e) {
            LoggerFactory.getLogger(Main.class).error("bundle {} did not start: {}", bundle.getSymbolicName(), e.getMessage(), e);
        }
    }

    private static void stop(Framework framework) {
        try {
            if (framework.getState() == Bundle.ACTIVE || framework.getState() == Bundle.STARTING) {
                framework.stop();
            }
            framework.waitForStop(20_000);
        } catch (BundleException | InterruptedException e) {
            LoggerFactory.getLogger(Main.class).warn("framework stop: {}", e.getMessage());
        }
    }
}
