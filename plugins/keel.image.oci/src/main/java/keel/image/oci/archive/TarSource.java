package keel.image.oci.archive;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Json;
import keel.image.oci.content.Limits;

/**
 * An OCI archive or docker-archive read with Commons Compress's tar reader, format chosen
 * explicitly (tar, or gzip then tar when the file starts with the gzip magic), never by
 * auto-detection.
 *
 * <p>One scan validates every entry name and type, reads the top-level documents (bounded),
 * hashes files outside {@code blobs/} (docker-archive layers and configs are named by path, not
 * digest) and hands small {@code blobs/sha256/} entries to the store right away, up to
 * {@link Limits#eagerBlobBytes()}, so that the JSON documents are usually in after one pass.
 * {@link #fetch} then reads the archive once more for the referenced blobs still missing; nothing
 * else is stored.
 */
final class TarSource implements ImageSource {
    static final Set<String> METADATA = Set.of("oci-layout", "index.json", "manifest.json", "repositories");
    private static final int MAX_LINK_HOPS = 8;

    private final Path file;
    private final boolean gzip;
    private final Limits limits;
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, byte[]> metadata = new HashMap<>();
    /** For each content digest, the regular entry that holds it. */
    private final Map<Digest, String> byDigest = new HashMap<>();
    private String format;

    /** A non-directory entry: a regular file (digest set) or a link (target set). */
    private record Entry(String name, long size, String target, Digest digest, Compression compression) {
    }

    private TarSource(Path file, boolean gzip, Limits limits) {
        this.file = file;
        this.gzip = gzip;
        this.limits = limits;
    }

    static TarSource scan(Path file, boolean gzip, Limits limits, ContentStore store) {
        TarSource source = new TarSource(file, gzip, limits);
        source.scan(store);
        return source;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public String label() {
        String kind = format == null ? "archive" : format.equals(DOCKER_ARCHIVE) ? "docker-archive" : "OCI archive";
        return kind + " " + file + (gzip ? " (gzip-compressed: read as gzip, then tar)" : "");
    }

    private InputStream openTarBytes() throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (gzip) {
            in = GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        }
        return in;
    }

    private TarArchiveInputStream openTar() throws IOException {
        return new TarArchiveInputStream(openTarBytes(), "UTF-8");
    }

    private KeelException corrupt(IOException e) {
        return KeelException.invalid("%s is truncated or not a valid tar archive: %s", label(), e.getMessage());
    }

    private void scan(ContentStore store) {
        long eager = 0;
        int count = 0;
        try (TarArchiveInputStream tar = openTar()) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (++count > limits.maxArchiveEntries()) {
                    throw KeelException.invalid("%s has more than %d entries", label(), limits.maxArchiveEntries());
                }
                String name = normalize(e);
                if (e.isDirectory() || name.isEmpty()) {
                    continue;
                }
                if (entries.containsKey(name)) {
                    throw KeelException.invalid("%s names '%s' twice; an archive must be unambiguous", label(), name);
                }
                if (e.isSymbolicLink()) {
                    entries.put(name, new Entry(name, 0, EntryNames.resolveSymlink(name, e.getLinkName()), null, null));
                    continue;
                }
                if (e.isLink()) {
                    entries.put(name, new Entry(name, 0, EntryNames.normalize(e.getLinkName()), null, null));
                    continue;
                }
                requireRegular(e, name);
                Entry entry;
                if (METADATA.contains(name)) {
                    if (e.getSize() > limits.maxJsonBytes()) {
                        throw Json.tooLarge(label() + " " + name + " (" + e.getSize() + " bytes)", limits.maxJsonBytes());
                    }
                    byte[] bytes = Json.readBounded(tar, limits.maxJsonBytes(), label() + " " + name);
                    metadata.put(name, bytes);
                    entry = new Entry(name, bytes.length, null, Digests.sha256(bytes), Compression.NONE);
                } else if (EntryNames.isUnderBlobs(name)) {
                    Digest digest = EntryNames.blobDigest(name);
                    long size = e.getSize();
                    boolean small = size <= limits.maxJsonBytes() && eager + size <= limits.eagerBlobBytes();
                    if (small && !store.contains(digest)) {
                        byte[] bytes = tar.readNBytes((int) size);
                        if (bytes.length != size) {
                            throw KeelException.invalid("%s is truncated inside %s", label(), name);
                        }
                        eager += size;
                        ArchiveChecks.write(store, new Descriptor("application/octet-stream", digest, size, null, null),
                                new ByteArrayInputStream(bytes), label() + " entry " + name);
                        entry = new Entry(name, size, null, digest, Compression.sniff(bytes, bytes.length));
                    } else {
                        byte[] head = tar.readNBytes(6);
                        entry = new Entry(name, size, null, digest, Compression.sniff(head, head.length));
                    }
                } else {
                    entry = hash(tar, name, e.getSize());
                }
                entries.put(name, entry);
                byDigest.putIfAbsent(entry.digest(), name);
            }
        } catch (IOException e) {
            throw corrupt(e);
        }
        if (metadata.containsKey("oci-layout") && metadata.containsKey("index.json")) {
            ArchiveChecks.layoutVersion(metadata.get("oci-layout"), label() + " oci-layout");
            format = OCI_ARCHIVE;
        } else if (metadata.containsKey("manifest.json")) {
            format = DOCKER_ARCHIVE;
        } else {
            throw KeelException.invalid("%s is a tar archive but neither an OCI archive (oci-layout and index.json) "
                    + "nor a docker-archive (manifest.json)", label());
        }
    }

    private String normalize(TarArchiveEntry e) {
        try {
            return EntryNames.normalize(e.getName());
        } catch (KeelException bad) {
            throw KeelException.invalid("%s: %s", label(), bad.getMessage());
        }
    }

    private void requireRegular(TarArchiveEntry e, String name) {
        byte flag = e.getLinkFlag();
        boolean regular = flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM
                || flag == TarConstants.LF_CONTIG;
        if (!regular || e.isSparse()) {
            throw KeelException.invalid("%s: entry '%s' is of tar type '%c'; image archives hold only regular files, "
                    + "directories and links", label(), EntryNames.printable(name), (char) flag);
        }
        if (e.getSize() < 0) {
            throw KeelException.invalid("%s: entry '%s' has a negative size", label(), name);
        }
    }

    /** Reads a file entry through, hashing it; keeps its first bytes to tell its compression. */
    private Entry hash(TarArchiveInputStream tar, String name, long size) throws IOException {
        MessageDigest hasher = Digests.hasher("sha256");
        byte[] buffer = new byte[1 << 16];
        byte[] head = new byte[6];
        int headLength = 0;
        long total = 0;
        int n;
        while ((n = tar.read(buffer)) >= 0) {
            if (headLength < head.length) {
                int take = Math.min(head.length - headLength, n);
                System.arraycopy(buffer, 0, head, headLength, take);
                headLength += take;
            }
            hasher.update(buffer, 0, n);
            total += n;
        }
        if (total != size) {
            throw KeelException.invalid("%s is truncated inside %s", label(), name);
        }
        return new Entry(name, size, null, Digests.finish("sha256", hasher), Compression.sniff(head, headLength));
    }

    @Override
    public Optional<byte[]> metadata(String name) {
        return Optional.ofNullable(metadata.get(name));
    }

    @Override
    public OptionalLong blobSize(Digest digest) {
        String name = byDigest.get(digest);
        return name == null ? OptionalLong.empty() : OptionalLong.of(entries.get(name).size());
    }

    @Override
    public Optional<FileEntry> file(String rawName) {
        String name = EntryNames.normalize(rawName);
        for (int hops = 0; hops <= MAX_LINK_HOPS; hops++) {
            Entry entry = entries.get(name);
            if (entry == null) {
                return Optional.empty();
            }
            if (entry.target() == null) {
                return Optional.of(new FileEntry(name, entry.digest(), entry.size(), entry.compression()));
            }
            name = entry.target();
        }
        throw KeelException.invalid("%s: '%s' is a chain of more than %d links", label(), rawName, MAX_LINK_HOPS);
    }

    @Override
    public void fetch(Collection<Descriptor> blobs, ContentStore store) {
        Map<String, Descriptor> wanted = new LinkedHashMap<>();
        for (Descriptor d : blobs) {
            if (store.contains(d.digest())) {
                continue;
            }
            ArchiveChecks.sizeMatches(this, d, blobSize(d.digest()));
            wanted.putIfAbsent(byDigest.get(d.digest()), d);
        }
        if (wanted.isEmpty()) {
            return;
        }
        try (TarArchiveInputStream tar = openTar()) {
            TarArchiveEntry e;
            while (!wanted.isEmpty() && (e = tar.getNextEntry()) != null) {
                String name = normalize(e);
                Descriptor d = wanted.remove(name);
                if (d == null || e.isDirectory() || e.isSymbolicLink() || e.isLink()) {
                    continue;
                }
                if (e.getSize() != d.size()) {
                    throw KeelException.invalid("%s changed while it was read: entry %s was %d bytes and is now %d",
                            label(), name, d.size(), e.getSize());
                }
                EntryStream content = new EntryStream(tar);
                try {
                    ArchiveChecks.write(store, d, content, label() + " entry " + name);
                } catch (KeelException failed) {
                    if (content.failure != null) {
                        throw corrupt(content.failure);
                    }
                    throw failed;
                }
            }
        } catch (IOException e) {
            throw corrupt(e);
        }
        if (!wanted.isEmpty()) {
            throw KeelException.invalid("%s changed while it was read: %s no longer there", label(), wanted.keySet());
        }
    }

    @Override
    public void close() {
    }

    /**
     * The current entry's bytes for the store: closing it does not close the archive, and a read
     * failure (a truncated archive) is kept so the error can say so.
     */
    private static final class EntryStream extends FilterInputStream {
        IOException failure;

        EntryStream(InputStream tar) {
            super(tar);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void close() {
        }
    }
}
