package keel.storage.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errno the drivers read after a direct-mapped call is that call's, on that thread. */
class LibcTest {
    @TempDir
    Path dir;

    @Test
    void errnoBelongsToTheLastCallOfThisThread() throws Exception {
        Files.createDirectory(dir.resolve("exists"));
        byte[] missing = Libc.cstr(dir.resolve("missing/x"));
        byte[] exists = Libc.cstr(dir.resolve("exists"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean odd = t % 2 == 1;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        if (odd) {
                            assertTrue(Libc.openat(Libc.AT_FDCWD, missing, Libc.O_RDONLY, 0) < 0);
                            assertEquals(Libc.ENOENT, Libc.errno());
                        } else {
                            assertTrue(Libc.mkdirat(Libc.AT_FDCWD, exists, 0700) < 0);
                            assertEquals(Libc.EEXIST, Libc.errno());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(Libc.describe(Libc.ENOENT).startsWith("ENOENT (No such file or directory)"));
    }
}
