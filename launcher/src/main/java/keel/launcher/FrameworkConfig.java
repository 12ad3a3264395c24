package keel.launcher;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The framework properties of the daemon's Felix, from its options and embedded defaults. */
final class FrameworkConfig {
    /**
     * Packages the launcher's class path provides to bundles. Keep in step with
     * {@code -runsystempackages} in cnf/keel-run.bnd (FrameworkConfigTest checks it).
     */
    static final String SYSTEM_PACKAGES = "org.slf4j;version=2.0.17,org.slf4j.event;version=2.0.17,"
            + "org.slf4j.helpers;version=2.0.17,org.slf4j.spi;version=2.0.17,jdk.net";

    private FrameworkConfig() {
    }

    /** Felix's bundle cache: in the runtime directory, one per daemon (DaemonLock). */
    static Path cache(DaemonOptions options) {
        return options.run().resolve("felix-cache");
    }

    static Map<String, String> of(DaemonOptions options, Properties defaults, String version) {
        Map<String, String> config = new HashMap<>();
        for (String name : defaults.stringPropertyNames()) {
            config.put(name, defaults.getProperty(name));
        }
        config.put("org.osgi.framework.storage", cache(options).toString());
        // A fresh cache at every start: bundles are installed by reference, so this costs little,
        // and no stale bundle survives an upgrade of the distribution. Main moves the old one aside
        // first (RetiredCaches), so Felix finds none to delete.
        config.put("org.osgi.framework.storage.clean", "onFirstInit");
        config.put("org.osgi.framework.system.packages.extra", SYSTEM_PACKAGES);
        config.put("org.osgi.framework.bootdelegation", "sun.*,com.sun.*,jdk.internal.*");
        config.put("felix.log.level", "1");
        // The resolver runs in the thread that asks (a bundle start): its own threads only added
        // hand-offs to a boot that keeps both cores busy (measured in BENCHMARKS.md).
        config.put("felix.resolver.parallelism", "1");
        config.put("keel.version", version);
        config.put("keel.root", options.root().toString());
        config.put("keel.run", options.run().toString());
        String plugins = options.root().resolve("plugins").toString();
        config.put("keel.plugins", plugins);
        // the plugins directory: a bundle dropped in is installed and started, a newer file updates
        // it in place, a removed file uninstalls it
        config.put("felix.fileinstall.dir", plugins);
        config.put("felix.fileinstall.poll", config.getOrDefault("keel.plugins.poll.ms", "500"));
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.bundles.new.start", "true");
        config.put("felix.fileinstall.bundles.startTransient", "false");
        config.put("felix.fileinstall.tmpdir", options.run().resolve("fileinstall").toString());
        config.put("felix.fileinstall.log.level", "2");
        // Gogo: the console runs only in the foreground on a terminal
        config.put("gosh.args", options.console() ? "" : "--nointeractive");
        config.put("gosh.home", options.root().toString());
        return config;
    }
}
