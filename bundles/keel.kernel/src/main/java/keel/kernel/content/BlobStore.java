package keel.kernel.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.kernel.state.CrashPoints;

/**
 * Blobs addressed by digest under {@code <root>/content}: {@code blobs/sha256/<hex>}. A write goes
 * to {@code ingest/} first, is hashed and counted as it streams, fsynced, and renamed into place
 * only when size and digest match what was expected: nothing unverified is ever visible.
 * Concurrent writes of one digest do the work once (the others wait and find it there). Blobs are
 * read-only once written.
 */
public final class BlobStore implements ContentStore {
    private final Path blobs;
    private final Path ingest;
    private final Map<String, Object> inFlight = new ConcurrentHashMap<>();

    public BlobStore(Path root) {
        this.blobs = root.resolve("blobs");
        this.ingest = root.resolve("ingest");
        try {
            Files.createDirectories(blobs.resolve("sha256"));
            Files.createDirectories(ingest);
            try (Stream<Path> debris = Files.list(ingest)) {
                for (Path p : debris.toList()) {
                    Files.deleteIfExists(p); // half-written by a daemon that died
                }
            }
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot prepare the content store in " + root + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean contains(Digest digest) {
        return Files.isRegularFile(file(digest));
    }

    @Override
    public Optional<Path> path(Digest digest) {
        Path file = file(digest);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public Descriptor write(Descriptor expected, InputStream content) {
        Digest digest = expected.digest();
        Object lock = inFlight.computeIfAbsent(digest.toString(), k -> new Object());
        synchronized (lock) {
            try {
                if (contains(digest)) {
                    content.transferTo(OutputStream.nullOutputStream());
                    return expected;
                }
                return ingest(expected, content);
            } catch (IOException e) {
                throw new KeelException(ErrorKind.INTERNAL, "cannot store blob " + digest + ": " + noSpace(e), e);
            } finally {
                inFlight.remove(digest.toString(), lock);
            }
        }
    }

    private Descriptor ingest(Descriptor expected, InputStream content) throws IOException {
        Digest digest = expected.digest();
        Path temp = ingest.resolve(digest.hex() + "-" + UUID.randomUUID());
        try {
            MessageDigest hash = messageDigest(digest.algorithm());
            long size = 0;
            byte[] buffer = new byte[256 * 1024];
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
                    size += n;
                    if (expected.size() >= 0 && size > expected.size()) {
                        throw KeelException.invalid("blob %s is larger than its descriptor's %d bytes", digest,
                                expected.size());
                    }
                    hash.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    if (size == n) {
                        CrashPoints.reach("content.blob-partly-written");
                    }
                }
                out.flush();
                channel.force(true);
            }
            if (expected.size() >= 0 && size != expected.size()) {
                throw KeelException.invalid("blob %s has %d bytes, its descriptor says %d", digest, size,
                        expected.size());
            }
            Digest actual = new Digest(digest.algorithm(), HexFormat.of().formatHex(hash.digest()));
            if (!actual.equals(digest)) {
                throw KeelException.invalid("blob content does not match its digest: expected %s, got %s", digest,
                        actual);
            }
            temp.toFile().setReadOnly();
            CrashPoints.reach("content.blob-verified");
            Path target = file(digest);
            Files.createDirectories(target.getParent());
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the content store's filesystem cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
            CrashPoints.reach("content.blob-committed");
            return new Descriptor(expected.mediaType(), digest, size, expected.annotations(), expected.platform());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Removes a blob (garbage collection); a missing one is not an error. */
    public void delete(Digest digest) {
        try {
            Files.deleteIfExists(file(digest));
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot remove blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Every stored blob's digest and size. */
    public Map<Digest, Long> list() {
        Map<Digest, Long> all = new java.util.TreeMap<>(java.util.Comparator.comparing(Digest::toString));
        for (String algorithm : new String[] {"sha256", "sha512"}) {
            Path dir = blobs.resolve(algorithm);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    all.put(new Digest(algorithm, f.getFileName().toString()), Files.size(f));
                }
            } catch (IOException e) {
                throw new KeelException(ErrorKind.INTERNAL, "cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        return all;
    }

    private Path file(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex());
    }

    private static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String noSpace(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") ? "no space left on device; free space and retry" : m;
    }
}
