package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Writes docker-archives ({@code docker save}'s format) by hand, from layer tars, with GNU tar. */
final class DockerArchives {
    private DockerArchives() {
    }

    /**
     * A docker-archive at {@code dir}.tar of the image {@code repoTag} made of {@code layers} (uncompressed
     * tars, bottom first), whose config's {@code config} object is {@code runConfig} (JSON).
     */
    static Path write(Path dir, String repoTag, String runConfig, Path... layers) throws Exception {
        Files.createDirectories(dir);
        List<String> names = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            String name = "layer" + i + ".tar";
            Files.copy(layers[i], dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            names.add(name);
            diffIds.add("\"sha256:" + Keel.sha256(layers[i]) + "\"");
        }
        Files.writeString(dir.resolve("config.json"), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
                + runConfig + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}");
        Files.writeString(dir.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"RepoTags\":[\"" + repoTag
                + "\"],\"Layers\":[" + String.join(",", names.stream().map(n -> "\"" + n + "\"").toList()) + "]}]");
        Path archive = dir.resolveSibling(dir.getFileName() + ".tar");
        List<String> tar = new ArrayList<>(List.of("tar", "-C", dir.toString(), "-cf", archive.toString(),
                "manifest.json", "config.json"));
        tar.addAll(names);
        assertEquals(0, Keel.exec(tar).code());
        return archive;
    }

}
