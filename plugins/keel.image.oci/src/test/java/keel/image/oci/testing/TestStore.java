package keel.image.oci.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.image.oci.content.Digests;

/**
 * A content store for the tests that does what the kernel's does: a blob is written to a temporary
 * file, its size and digest verified, fsynced and renamed into {@code <dir>/<alg>/<hex>}; only then
 * is it visible. It records every successful write.
 */
public final class TestStore implements ContentStore {
    private final Path dir;
    private final List<Digest> writes = new CopyOnWriteArrayList<>();

    public TestStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The digests written, in order. */
    public List<Digest> writes() {
        return writes;
    }

    /** Every blob in the store. */
    public List<Digest> blobs() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("ingest-"))
                    .map(p -> new Digest(p.getParent().getFileName().toString(), p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Temporary files left behind (there must be none). */
    public List<Path> debris() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("ingest-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path blob(Digest digest) {
        return dir.resolve(digest.algorithm()).resolve(digest.hex());
    }

    @Override
    public boolean contains(Digest digest) {
        return Files.isRegularFile(blob(digest));
    }

    @Override
    public Optional<Path> path(Digest digest) {
        Path path = blob(digest);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    @Override
    public Descriptor write(Descriptor expected, InputStream content) {
        if (contains(expected.digest())) {
            return expected;
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "ingest-", ".tmp");
            MessageDigest hasher = Digests.hasher(expected.digest().algorithm());
            long size = 0;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = content.read(buffer)) >= 0) {
                    size += n;
                    if (size > expected.size()) {
                        throw KeelException.invalid("blob %s: more than the expected %d bytes", expected.digest(),
                                expected.size());
                    }
                    hasher.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            if (size != expected.size()) {
                throw KeelException.invalid("blob %s: size mismatch: expected %d bytes, got %d", expected.digest(),
                        expected.size(), size);
            }
            Digest actual = Digests.finish(expected.digest().algorithm(), hasher);
            if (!actual.equals(expected.digest())) {
                throw KeelException.invalid("blob digest mismatch: expected %s, got %s", expected.digest(), actual);
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Path target = blob(expected.digest());
            Files.createDirectories(target.getParent());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            writes.add(expected.digest());
            return expected;
        } catch (IOException e) {
            throw KeelException.unavailable("cannot write blob %s: %s", expected.digest(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the test's temporary directory goes anyway
                }
            }
        }
    }
}
