package keel.kernel.images;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.image.Digest;

class ImageStoreTest {
    private static final Digest OLD = new Digest("sha256", "a".repeat(64));
    private static final Digest NEW = new Digest("sha256", "b".repeat(64));

    @TempDir
    Path dir;

    @Test
    void aNameTakenByAnotherImageMovesToItAndTheNextStoreReadsThat() throws Exception {
        ImageStore store = new ImageStore(dir);
        store.add(OLD, "docker.io/library/busybox:latest");
        store.add(NEW, "docker.io/library/busybox:latest");

        Map<String, List<String>> names = new ImageStore(dir).all().stream()
                .collect(Collectors.toMap(ImageStore.Entry::manifest, ImageStore.Entry::names));
        assertEquals(Map.of(OLD.toString(), List.of(), NEW.toString(), List.of("docker.io/library/busybox:latest")),
                names);
        try (var files = Files.list(dir)) { // no temporary file left beside the record
            assertEquals(List.of(dir.resolve("images.json")), files.toList());
        }
    }

    @Test
    void untagAloneIsWritten() {
        ImageStore store = new ImageStore(dir);
        store.add(OLD, "docker.io/library/busybox:latest");
        store.untag("docker.io/library/busybox:latest");
        assertEquals(List.of(), new ImageStore(dir).all().get(0).names());
    }
}
