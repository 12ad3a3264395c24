package keel.image.oci.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.image.oci.content.Json;
import keel.image.oci.content.Limits;

/**
 * An OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}).
 * Blob files are opened without following symbolic links and must be regular files; only the
 * blobs the loader asks for are read.
 */
final class LayoutSource implements ImageSource {
    private final Path dir;
    private final Map<String, byte[]> metadata;

    private LayoutSource(Path dir, Map<String, byte[]> metadata) {
        this.dir = dir;
        this.metadata = metadata;
    }

    static LayoutSource open(Path dir, Limits limits) {
        byte[] layout = readTopLevel(dir, "oci-layout", limits);
        if (layout == null) {
            throw KeelException.invalid("directory %s is not an OCI image layout: it has no oci-layout file", dir);
        }
        ArchiveChecks.layoutVersion(layout, "oci-layout of " + dir);
        byte[] index = readTopLevel(dir, "index.json", limits);
        if (index == null) {
            throw KeelException.invalid("OCI layout %s has no index.json", dir);
        }
        return new LayoutSource(dir, Map.of("oci-layout", layout, "index.json", index));
    }

    private static byte[] readTopLevel(Path dir, String name, Limits limits) {
        Path file = dir.resolve(name);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw KeelException.invalid("%s is not a regular file", file);
            }
            if (attributes.size() > limits.maxJsonBytes()) {
                throw Json.tooLarge(file + " (" + attributes.size() + " bytes)", limits.maxJsonBytes());
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return Json.readBounded(in, limits.maxJsonBytes(), file.toString());
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw KeelException.invalid("cannot read %s: %s", file, e.getMessage());
        }
    }

    @Override
    public String format() {
        return OCI_LAYOUT;
    }

    @Override
    public String label() {
        return "OCI layout " + dir;
    }

    @Override
    public Optional<byte[]> metadata(String name) {
        return Optional.ofNullable(metadata.get(name));
    }

    private Path blobPath(Digest digest) {
        return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    @Override
    public OptionalLong blobSize(Digest digest) {
        Path file = blobPath(digest);
        try {
            for (Path parent : new Path[] {dir.resolve("blobs"), file.getParent()}) {
                if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                    return OptionalLong.empty();
                }
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw KeelException.invalid("%s: blob %s is not a regular file (links are not followed)", label(),
                        digest);
            }
            return OptionalLong.of(attributes.size());
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw KeelException.invalid("%s: cannot read blob %s: %s", label(), digest, e.getMessage());
        }
    }

    @Override
    public Optional<FileEntry> file(String name) {
        return Optional.empty();
    }

    @Override
    public void fetch(Collection<Descriptor> blobs, ContentStore store) {
        for (Descriptor d : blobs) {
            if (store.contains(d.digest())) {
                continue;
            }
            ArchiveChecks.sizeMatches(this, d, blobSize(d.digest()));
            try (InputStream in = Files.newInputStream(blobPath(d.digest()), LinkOption.NOFOLLOW_LINKS)) {
                ArchiveChecks.write(store, d, in, label() + " blob " + d.digest());
            } catch (IOException e) {
                throw KeelException.invalid("%s: cannot read blob %s: %s", label(), d.digest(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
    }
}
