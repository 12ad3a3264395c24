package keel.image.oci.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageIndex;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.Manifest;
import keel.api.image.MediaTypes;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Documents;
import keel.image.oci.content.Json;
import keel.image.oci.content.Limits;
import keel.image.oci.content.StoredBlobs;

/**
 * Writes images from the store as an OCI archive or a docker-archive, deterministically: entries
 * sorted by name, mtime 0, owner 0:0, modes 0644/0755, PAX headers for long names. The
 * docker-archive is laid out as Docker 25 writes it ({@code manifest.json} and {@code repositories}
 * beside {@code blobs/sha256/}, the config and layers as blobs), which every Docker since 1.10 and
 * skopeo read. Blobs are streamed from the store with their size and digest checked again.
 */
public final class ImageSaver {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final Limits limits;

    public ImageSaver(Limits limits) {
        this.limits = Objects.requireNonNull(limits);
    }

    public void save(List<LoadedImage> images, String format, ContentStore store, OutputStream out) {
        Objects.requireNonNull(out, "out");
        if (images == null || images.isEmpty()) {
            throw KeelException.invalid("nothing to save: no images given");
        }
        switch (format) {
            case ImageSource.OCI_ARCHIVE, ImageSource.DOCKER_ARCHIVE -> {
            }
            case ImageSource.OCI_LAYOUT -> throw KeelException.invalid("oci-layout is a directory and save writes one "
                    + "stream: save as oci-archive (a tar of an OCI layout)");
            default -> throw KeelException.invalid("unknown image format '%s': expected oci-archive or docker-archive",
                    format);
        }
        TreeMap<String, Descriptor> blobs = new TreeMap<>();
        List<Manifest> manifests = new ArrayList<>();
        for (LoadedImage image : images) {
            Descriptor d = image.manifest();
            if (!Documents.isManifest(d.mediaType())) {
                throw KeelException.invalid("cannot save %s: %s is a %s, not an image manifest", image.names(),
                        d.digest(), d.mediaType());
            }
            Manifest manifest = Documents.manifest(StoredBlobs.json(store, d, limits, "manifest"), d.mediaType(),
                    "manifest " + d.digest(), limits);
            StoredBlobs.json(store, manifest.config(), limits, "image config");
            for (Descriptor layer : manifest.layers()) {
                StoredBlobs.require(store, layer, "layer");
            }
            manifests.add(manifest);
            blobs.put(EntryNames.blobName(d.digest()), d);
            blobs.put(EntryNames.blobName(manifest.config().digest()), manifest.config());
            manifest.layers().forEach(l -> blobs.put(EntryNames.blobName(l.digest()), l));
        }
        TreeMap<String, byte[]> documents = new TreeMap<>();
        if (format.equals(ImageSource.OCI_ARCHIVE)) {
            documents.put("oci-layout", Json.write(NODES.objectNode().put("imageLayoutVersion", "1.0.0")));
            documents.put("index.json", ociIndex(images));
        } else {
            dockerDocuments(images, manifests, documents);
        }
        try {
            write(blobs, documents, store, out);
        } catch (IOException e) {
            throw KeelException.unavailable("cannot write the %s: %s", format, e.getMessage());
        }
    }

    private static byte[] ociIndex(List<LoadedImage> images) {
        List<Descriptor> entries = new ArrayList<>();
        for (LoadedImage image : images) {
            Descriptor d = image.manifest();
            if (image.names().isEmpty()) {
                entries.add(new Descriptor(d.mediaType(), d.digest(), d.size(), null, d.platform()));
            }
            for (ImageReference name : image.names()) {
                Map<String, String> annotations = new LinkedHashMap<>();
                annotations.put(Documents.ANNOTATION_IMAGE_NAME, name.toString());
                // OCI's ref.name is the tag alone (as containerd and Docker write it); the full name is above
                annotations.put(Documents.ANNOTATION_REF_NAME, name.tag() != null ? name.tag() : name.toString());
                entries.add(new Descriptor(d.mediaType(), d.digest(), d.size(), annotations, d.platform()));
            }
        }
        return Documents.indexBytes(new ImageIndex(2, MediaTypes.OCI_INDEX, entries, null));
    }

    private static void dockerDocuments(List<LoadedImage> images, List<Manifest> manifests,
            TreeMap<String, byte[]> documents) {
        ArrayNode items = NODES.arrayNode();
        TreeMap<String, TreeMap<String, String>> repositories = new TreeMap<>();
        for (int i = 0; i < images.size(); i++) {
            Manifest manifest = manifests.get(i);
            ObjectNode item = items.addObject();
            item.put("Config", EntryNames.blobName(manifest.config().digest()));
            ArrayNode tags = item.putArray("RepoTags");
            for (ImageReference name : images.get(i).names()) {
                if (name.tag() == null) {
                    continue; // a digest is not a tag; docker-archive has nowhere to put it
                }
                ImageReference tagged = new ImageReference(name.registry(), name.repository(), name.tag(), null);
                tags.add(tagged.familiar());
                if (!manifest.layers().isEmpty()) {
                    String repository = tagged.familiar().substring(0, tagged.familiar().length() - name.tag().length() - 1);
                    repositories.computeIfAbsent(repository, k -> new TreeMap<>()).put(name.tag(),
                            manifest.layers().get(manifest.layers().size() - 1).digest().hex());
                }
            }
            ArrayNode layers = item.putArray("Layers");
            manifest.layers().forEach(l -> layers.add(EntryNames.blobName(l.digest())));
        }
        documents.put("manifest.json", Json.write(items));
        if (!repositories.isEmpty()) {
            ObjectNode repos = NODES.objectNode();
            repositories.forEach((repo, tags) -> {
                ObjectNode t = repos.putObject(repo);
                tags.forEach(t::put);
            });
            documents.put("repositories", Json.write(repos));
        }
    }

    private static void write(TreeMap<String, Descriptor> blobs, TreeMap<String, byte[]> documents,
            ContentStore store, OutputStream out) throws IOException {
        TreeMap<String, Object> all = new TreeMap<>();
        all.put("blobs/", null);
        blobs.keySet().stream().map(name -> name.substring(0, name.lastIndexOf('/') + 1)).forEach(d -> all.put(d, null));
        all.putAll(blobs);
        all.putAll(documents);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8"); // finished, never closed: the caller owns out
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Map.Entry<String, Object> entry : all.entrySet()) {
            String name = entry.getKey();
            if (entry.getValue() == null) {
                tar.putArchiveEntry(header(name, 0, 040755));
            } else if (entry.getValue() instanceof byte[] bytes) {
                tar.putArchiveEntry(header(name, bytes.length, 0100644));
                tar.write(bytes);
            } else {
                Descriptor d = (Descriptor) entry.getValue();
                tar.putArchiveEntry(header(name, d.size(), 0100644));
                copyVerified(store, d, tar);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
        out.flush();
    }

    private static TarArchiveEntry header(String name, long size, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setMode(mode);
        entry.setSize(size);
        entry.setModTime(new Date(0));
        entry.setIds(0, 0);
        entry.setUserName("");
        entry.setGroupName("");
        return entry;
    }

    /** Copies a stored blob, failing if it is not (any longer) the size and digest it is stored as. */
    private static void copyVerified(ContentStore store, Descriptor d, OutputStream out) throws IOException {
        Path path = StoredBlobs.require(store, d, "blob");
        Digest digest = d.digest();
        MessageDigest hasher = Digests.hasher(digest.algorithm());
        long copied = 0;
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while (copied < d.size() && (n = in.read(buffer, 0, (int) Math.min(buffer.length, d.size() - copied))) >= 0) {
                hasher.update(buffer, 0, n);
                out.write(buffer, 0, n);
                copied += n;
            }
        }
        Digest actual = Digests.finish(digest.algorithm(), hasher);
        if (copied != d.size() || !actual.equals(digest)) {
            throw KeelException.internal("the content store's blob " + digest + " now reads as " + actual + " ("
                    + copied + " bytes): the store is corrupt; the archive written so far is incomplete", null);
        }
    }
}
