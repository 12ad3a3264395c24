package keel.kernel.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;

class BlobStoreTest {
    @TempDir
    Path root;

    static Descriptor describe(byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        return new Descriptor("application/octet-stream", new Digest("sha256", hex), content.length, null, null);
    }

    @Test
    void aVerifiedBlobBecomesVisibleAndReadOnly() throws Exception {
        BlobStore store = new BlobStore(root);
        byte[] content = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Descriptor d = describe(content);
        assertFalse(store.contains(d.digest()));
        store.write(d, new ByteArrayInputStream(content));
        assertTrue(store.contains(d.digest()));
        Path file = store.path(d.digest()).orElseThrow();
        assertArrayEquals(content, Files.readAllBytes(file));
        assertFalse(Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                "a stored blob is read-only");
        assertEquals(1, store.list().size());
    }

    @Test
    void aMismatchedDigestOrSizeLeavesNothingVisible() throws Exception {
        BlobStore store = new BlobStore(root);
        byte[] content = "honest".getBytes(StandardCharsets.UTF_8);
        Descriptor d = describe(content);
        KeelException wrong = assertThrows(KeelException.class,
                () -> store.write(d, new ByteArrayInputStream("forged".getBytes(StandardCharsets.UTF_8))));
        assertTrue(wrong.getMessage().contains("does not match its digest"), wrong.getMessage());
        Descriptor lying = new Descriptor(d.mediaType(), d.digest(), 3, null, null);
        KeelException size = assertThrows(KeelException.class, () -> store.write(lying, new ByteArrayInputStream(content)));
        assertTrue(size.getMessage().contains("larger than its descriptor"), size.getMessage());
        assertFalse(store.contains(d.digest()));
        try (var ingest = Files.list(root.resolve("ingest"))) {
            assertEquals(0, ingest.count(), "no temporary file left");
        }
        store.write(d, new ByteArrayInputStream(content)); // and a retry works
        assertTrue(store.contains(d.digest()));
    }

    @Test
    void concurrentWritesOfOneBlobEndAsOneVerifiedBlob() throws Exception {
        BlobStore store = new BlobStore(root);
        byte[] content = new byte[4 << 20];
        new java.util.Random(7).nextBytes(content);
        Descriptor d = describe(content);
        AtomicInteger reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] writes = new Future<?>[4];
            for (int i = 0; i < 4; i++) {
                writes[i] = pool.submit(() -> store.write(d, new InputStream() {
                    final ByteArrayInputStream in = new ByteArrayInputStream(content);

                    @Override
                    public int read() {
                        return in.read();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        int n = in.read(b, off, len);
                        if (n > 0) {
                            reads.addAndGet(n);
                        }
                        return n;
                    }
                }));
            }
            for (Future<?> w : writes) {
                w.get();
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(store.contains(d.digest()));
        assertEquals(1, store.list().size());
    }

    @Test
    void debrisOfACrashIsRemovedAtStart() throws Exception {
        new BlobStore(root);
        Files.writeString(root.resolve("ingest/abc-half"), "half a blob");
        new BlobStore(root);
        try (var ingest = Files.list(root.resolve("ingest"))) {
            assertEquals(0, ingest.count());
        }
    }
}
