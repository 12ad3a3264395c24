package keel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetiredCachesTest {
    @TempDir
    Path run;

    @Test
    void retireMovesTheCacheAsideWithItsContent() throws IOException {
        Path cache = run.resolve("felix-cache");
        Files.createDirectories(cache.resolve("bundle1/version0.0"));
        Files.writeString(cache.resolve("bundle1/bundle.info"), "info");

        RetiredCaches.retire(cache);

        assertFalse(Files.exists(cache));
        List<Path> retired = siblings();
        assertEquals(1, retired.size());
        assertTrue(retired.get(0).getFileName().toString().startsWith("felix-cache.retired-"));
        assertEquals("info", Files.readString(retired.get(0).resolve("bundle1/bundle.info")));
    }

    @Test
    void retireWithoutACacheDoesNothing() throws IOException {
        RetiredCaches.retire(run.resolve("felix-cache"));

        assertEquals(List.of(), siblings());
    }

    @Test
    void deleteAllRemovesEveryRetiredCacheAndNothingElse() throws IOException {
        Path cache = run.resolve("felix-cache");
        for (int boot = 0; boot < 2; boot++) {
            Files.createDirectories(cache.resolve("bundle" + boot + "/version0.0"));
            Files.writeString(cache.resolve("bundle" + boot + "/version0.0/revision.location"), "reference:file:/x");
            RetiredCaches.retire(cache);
        }
        Files.createDirectories(cache.resolve("bundle0"));
        Files.writeString(run.resolve("keel.pid"), "1\n");
        assertEquals(2, siblings().stream().filter(p -> p.getFileName().toString().contains(".retired-")).count());

        RetiredCaches.deleteAll(cache);

        assertEquals(List.of(cache, run.resolve("keel.pid")), siblings());
        assertTrue(Files.isDirectory(cache.resolve("bundle0")));
    }

    private List<Path> siblings() throws IOException {
        try (Stream<Path> list = Files.list(run)) {
            return list.sorted().toList();
        }
    }
}
