package keel.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The installed distribution the launcher runs from: {@code lib/} (where this jar is),
 * {@code bundles/}, {@code conf/}.
 */
record Distribution(Path home) {

    static Distribution locate() {
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new Distribution(jar.toAbsolutePath().getParent().getParent());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the keel distribution", e);
        }
    }

    Path conf(String name) {
        return home.resolve("conf").resolve(name);
    }

    String version() {
        try {
            return Files.readString(home.resolve("VERSION")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    Properties defaults() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(conf("keel.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + conf("keel.properties") + ": " + e.getMessage(), e);
        }
        return properties;
    }

    /** The bundle jars to install, sorted for a stable bundle order. */
    List<Path> bundles() {
        try (Stream<Path> files = Files.list(home.resolve("bundles"))) {
            List<Path> jars = new ArrayList<>(files.filter(p -> p.toString().endsWith(".jar")).sorted().toList());
            if (jars.isEmpty()) {
                throw new IllegalStateException("no bundles in " + home.resolve("bundles"));
            }
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + home.resolve("bundles") + ": " + e.getMessage(), e);
        }
    }
}
