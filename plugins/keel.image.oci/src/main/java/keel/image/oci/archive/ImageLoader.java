package keel.image.oci.archive;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageIndex;
import keel.api.image.ImageReference;
import keel.api.image.LoadedImage;
import keel.api.image.Manifest;
import keel.api.image.MediaTypes;
import keel.api.image.Platform;
import keel.image.oci.content.Digests;
import keel.image.oci.content.Documents;
import keel.image.oci.content.Documents.ConfigFacts;
import keel.image.oci.content.Json;
import keel.image.oci.content.Limits;
import keel.image.oci.content.Platforms;
import keel.image.oci.content.StoredBlobs;

/**
 * Loads the images of an OCI layout, OCI archive or docker-archive into a content store.
 *
 * <p>Every descriptor followed (index, nested index, manifest, config, layers) has its size
 * compared with the source before the blob is handed to the store, which verifies size and digest;
 * documents are parsed only from what the store verified. The images are returned only once every
 * blob they reference is in the store, so a failed load leaves at most verified blobs and no image.
 *
 * <p>Names: {@code io.containerd.image.name} (a full reference), else
 * {@code org.opencontainers.image.ref.name} when it is a full reference; a bare tag there names no
 * repository and is ignored, as containerd does without an import prefix. Docker archives: RepoTags.
 */
public final class ImageLoader {
    private final Limits limits;

    public ImageLoader(Limits limits) {
        this.limits = Objects.requireNonNull(limits);
    }

    public List<LoadedImage> load(Path source, Platform platform, ContentStore store) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(store, "store");
        try (ImageSource src = ImageSources.open(source, limits, store)) {
            Session session = new Session(src, platform == null ? Platform.LINUX_AMD64 : platform, store);
            return src.format().equals(ImageSource.DOCKER_ARCHIVE) ? session.docker() : session.oci();
        }
    }

    /** One image resolved down to its manifest. */
    private record Resolved(List<ImageReference> names, Descriptor manifest, Manifest content, byte[] synthesized) {
    }

    private final class Session {
        private final ImageSource src;
        private final Platform platform;
        private final ContentStore store;
        private final Map<Digest, Manifest> manifests = new HashMap<>();
        private final Map<Digest, ConfigFacts> configs = new HashMap<>();

        Session(ImageSource src, Platform platform, ContentStore store) {
            this.src = src;
            this.platform = platform;
            this.store = store;
        }

        // ---- OCI layout and archive ------------------------------------------------------

        List<LoadedImage> oci() {
            String where = "index.json of " + src.label();
            ImageIndex index = Documents.index(src.metadata("index.json").orElseThrow(), null, where, limits);
            // entries with the same name are one image's platforms; unnamed entries with a platform too
            Map<String, List<Descriptor>> groups = new LinkedHashMap<>();
            Map<String, List<ImageReference>> groupNames = new HashMap<>();
            for (int i = 0; i < index.manifests().size(); i++) {
                Descriptor d = index.manifests().get(i);
                List<ImageReference> names = names(d, where + " manifests[" + i + "]");
                String key = !names.isEmpty() ? names.get(0).toString()
                        : d.platform() != null ? "(unnamed, with platforms)" : "(unnamed #" + i + ")";
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
                groupNames.computeIfAbsent(key, k -> new ArrayList<>()).addAll(names);
            }
            if (groups.isEmpty()) {
                throw KeelException.invalid("%s lists no images", where);
            }
            Map<Digest, List<ImageReference>> dockerTags = dockerTagsByConfig();
            List<Resolved> images = new ArrayList<>();
            for (Map.Entry<String, List<Descriptor>> group : groups.entrySet()) {
                List<Descriptor> members = group.getValue();
                String what = where + " entry " + group.getKey();
                Descriptor chosen = members.size() == 1 ? members.get(0)
                        : Platforms.select(members, this::platformOf, platform, what);
                Resolved r = resolve(chosen, 0, what);
                Set<ImageReference> names = new LinkedHashSet<>(groupNames.get(group.getKey()));
                names.addAll(dockerTags.getOrDefault(r.content().config().digest(), List.of()));
                images.add(new Resolved(List.copyOf(names), r.manifest(), r.content(), null));
            }
            return finish(images);
        }

        /**
         * Docker 25 writes an OCI layout and a manifest.json side by side; its RepoTags name the images
         * whose index entries carry only a bare tag. Matched by config digest.
         */
        private Map<Digest, List<ImageReference>> dockerTagsByConfig() {
            Map<Digest, List<ImageReference>> tags = new HashMap<>();
            if (src.metadata("manifest.json").isEmpty()) {
                return tags;
            }
            String where = "manifest.json of " + src.label();
            JsonNode items = Json.parseArray(src.metadata("manifest.json").get(), where);
            for (int i = 0; i < items.size() && i < limits.maxDescriptors(); i++) {
                JsonNode item = items.get(i);
                String config = item.path("Config").asText("");
                if (config.isEmpty()) {
                    continue;
                }
                ImageSource.FileEntry file = dockerFile(config, where + "[" + i + "] Config");
                tags.computeIfAbsent(file.digest(), k -> new ArrayList<>()).addAll(repoTags(item, where + "[" + i + "]"));
            }
            return tags;
        }

        private List<ImageReference> names(Descriptor d, String where) {
            List<String> candidates = new ArrayList<>();
            String full = d.annotations().get(Documents.ANNOTATION_IMAGE_NAME);
            if (full != null) {
                candidates.add(full);
            }
            String ref = d.annotations().get(Documents.ANNOTATION_REF_NAME);
            if (ref != null && (ref.contains("/") || ref.contains(":") || ref.contains("@"))) {
                candidates.add(ref); // a bare tag names no repository
            }
            List<ImageReference> names = new ArrayList<>();
            for (String name : candidates) {
                try {
                    ImageReference parsed = ImageReference.parse(name);
                    if (!names.contains(parsed)) {
                        names.add(parsed);
                    }
                } catch (KeelException e) {
                    throw KeelException.invalid("%s: invalid image name '%s': %s", where, name, e.getMessage());
                }
            }
            return names;
        }

        private Resolved resolve(Descriptor d, int depth, String what) {
            if (Documents.isIndex(d.mediaType())) {
                if (depth >= limits.maxIndexDepth()) {
                    throw KeelException.invalid("%s: indexes nest deeper than %d", what, limits.maxIndexDepth());
                }
                String indexWhat = "image index " + d.digest() + " (" + what + ")";
                ImageIndex index = Documents.index(json(d, "image index"), d.mediaType(), indexWhat, limits);
                Descriptor child = Platforms.select(index.manifests(), this::platformOf, platform, indexWhat);
                return resolve(child, depth + 1, what);
            }
            if (Documents.isManifest(d.mediaType())) {
                Manifest manifest = manifest(d);
                ConfigFacts facts = config(manifest.config(), d);
                return new Resolved(List.of(), described(d, facts.platform()), manifest, null);
            }
            throw KeelException.invalid("%s: %s has media type '%s', which is neither an image index nor an image "
                    + "manifest", what, d.digest(), d.mediaType());
        }

        /** The platform of an index entry: declared, or read from the manifest's config. */
        private Platform platformOf(Descriptor d) {
            if (d.platform() != null) {
                return d.platform();
            }
            if (!Documents.isManifest(d.mediaType())) {
                return null;
            }
            return config(manifest(d).config(), d).platform();
        }

        private Manifest manifest(Descriptor d) {
            Manifest cached = manifests.get(d.digest());
            if (cached == null) {
                cached = Documents.manifest(json(d, "manifest"), d.mediaType(), "manifest " + d.digest() + " in "
                        + src.label(), limits);
                manifests.put(d.digest(), cached);
            }
            return cached;
        }

        private ConfigFacts config(Descriptor configDescriptor, Descriptor manifest) {
            ConfigFacts cached = configs.get(configDescriptor.digest());
            if (cached == null) {
                cached = Documents.config(json(configDescriptor, "image config"), "image config "
                        + configDescriptor.digest() + " of manifest " + manifest.digest(), limits);
                configs.put(configDescriptor.digest(), cached);
            }
            Manifest m = manifests.get(manifest.digest());
            if (m != null && m.layers().size() != cached.diffIds().size()) {
                throw KeelException.invalid("manifest %s in %s has %d layers but its config lists %d diff_ids",
                        manifest.digest(), src.label(), m.layers().size(), cached.diffIds().size());
            }
            return cached;
        }

        /** A JSON blob: size checked against the source, stored (verified), then read back. */
        private byte[] json(Descriptor d, String what) {
            if (d.size() > limits.maxJsonBytes()) {
                throw Json.tooLarge(what + " " + d.digest() + " in " + src.label() + " (" + d.size() + " bytes)",
                        limits.maxJsonBytes());
            }
            src.fetch(List.of(d), store);
            return StoredBlobs.json(store, d, limits, what);
        }

        // ---- docker-archive --------------------------------------------------------------

        List<LoadedImage> docker() {
            String where = "manifest.json of " + src.label();
            JsonNode items = Json.parseArray(src.metadata("manifest.json").orElseThrow(), where);
            if (items.isEmpty()) {
                throw KeelException.invalid("%s lists no images", where);
            }
            if (items.size() > limits.maxDescriptors()) {
                throw KeelException.invalid("%s lists %d images, more than the limit of %d", where, items.size(),
                        limits.maxDescriptors());
            }
            List<Resolved> images = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                images.add(dockerImage(items.get(i), where + "[" + i + "]"));
            }
            return finish(images);
        }

        private Resolved dockerImage(JsonNode item, String where) {
            if (!item.isObject()) {
                throw KeelException.invalid("%s is not an object", where);
            }
            ImageSource.FileEntry configFile = dockerFile(text(item.get("Config"), where + " Config"), where + " Config");
            Descriptor config = new Descriptor(MediaTypes.DOCKER_CONFIG, configFile.digest(), configFile.size(), null,
                    null);
            ConfigFacts facts = Documents.config(json(config, "image config"), "image config " + configFile.name()
                    + " (" + where + ")", limits);
            JsonNode layerNames = item.get("Layers");
            if (layerNames == null || !layerNames.isArray() || layerNames.size() > limits.maxDescriptors()) {
                throw KeelException.invalid("%s has no Layers array (or more than %d layers)", where,
                        limits.maxDescriptors());
            }
            if (layerNames.size() != facts.diffIds().size()) {
                throw KeelException.invalid("%s lists %d layers but its config %s has %d diff_ids", where,
                        layerNames.size(), configFile.name(), facts.diffIds().size());
            }
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < layerNames.size(); i++) {
                String what = where + " Layers[" + i + "]";
                ImageSource.FileEntry layer = dockerFile(text(layerNames.get(i), what), what);
                String mediaType = switch (layer.compression()) {
                    case NONE -> Documents.DOCKER_LAYER_TAR;
                    case GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
                    default -> throw KeelException.invalid("%s (%s) is %s-compressed, which a Docker schema 2 manifest "
                            + "cannot describe", what, layer.name(), layer.compression().name().toLowerCase());
                };
                if (layer.compression() == Compression.NONE && !layer.digest().equals(facts.diffIds().get(i))) {
                    throw KeelException.invalid("%s (%s) has digest %s but the config's diff_ids[%d] is %s", what,
                            layer.name(), layer.digest(), i, facts.diffIds().get(i));
                }
                layers.add(new Descriptor(mediaType, layer.digest(), layer.size(), null, null));
            }
            List<ImageReference> names = repoTags(item, where);
            Manifest manifest = new Manifest(2, MediaTypes.DOCKER_MANIFEST, config, layers, null);
            byte[] bytes = Documents.manifestBytes(manifest);
            Descriptor descriptor = new Descriptor(MediaTypes.DOCKER_MANIFEST, Digests.sha256(bytes), bytes.length,
                    null, facts.platform());
            return new Resolved(names, descriptor, manifest, bytes);
        }

        private List<ImageReference> repoTags(JsonNode item, String where) {
            List<ImageReference> names = new ArrayList<>();
            JsonNode tags = item.get("RepoTags");
            if (tags == null || tags.isNull()) {
                return names;
            }
            if (!tags.isArray() || tags.size() > limits.maxDescriptors()) {
                throw KeelException.invalid("%s RepoTags is not an array of names", where);
            }
            for (int i = 0; i < tags.size(); i++) {
                String tag = text(tags.get(i), where + " RepoTags[" + i + "]");
                try {
                    ImageReference name = ImageReference.parse(tag);
                    if (!names.contains(name)) {
                        names.add(name);
                    }
                } catch (KeelException e) {
                    throw KeelException.invalid("%s RepoTags[%d]: %s", where, i, e.getMessage());
                }
            }
            return names;
        }

        private ImageSource.FileEntry dockerFile(String name, String what) {
            ImageSource.FileEntry entry;
            try {
                entry = src.file(name).orElseThrow(() -> KeelException.notFound("%s: '%s' is not in %s", what,
                        EntryNames.printable(name), src.label()));
            } catch (KeelException e) {
                throw new KeelException(e.kind(), e.getMessage().startsWith(what) ? e.getMessage()
                        : what + ": " + e.getMessage(), e);
            }
            return entry;
        }

        private static String text(JsonNode node, String what) {
            if (node == null || !node.isTextual() || node.asText().isEmpty()) {
                throw KeelException.invalid("%s is missing or not a string", what);
            }
            return node.asText();
        }

        // ---- both ------------------------------------------------------------------------

        /** Stores every layer (verified), then synthesized manifests; merges images of one manifest. */
        private List<LoadedImage> finish(List<Resolved> images) {
            Map<Digest, Descriptor> layers = new LinkedHashMap<>();
            for (Resolved image : images) {
                image.content().layers().forEach(l -> layers.putIfAbsent(l.digest(), l));
            }
            src.fetch(layers.values(), store);
            for (Resolved image : images) {
                for (Descriptor layer : image.content().layers()) {
                    StoredBlobs.require(store, layer, "layer");
                }
                StoredBlobs.require(store, image.content().config(), "image config");
            }
            Map<Digest, LoadedImage> loaded = new LinkedHashMap<>();
            for (Resolved image : images) {
                if (image.synthesized() != null && !store.contains(image.manifest().digest())) {
                    ArchiveChecks.write(store, image.manifest(), new java.io.ByteArrayInputStream(image.synthesized()),
                            "manifest synthesized for " + src.label());
                }
                StoredBlobs.require(store, image.manifest(), "manifest");
                LoadedImage previous = loaded.get(image.manifest().digest());
                Set<ImageReference> names = new LinkedHashSet<>();
                if (previous != null) {
                    names.addAll(previous.names());
                }
                names.addAll(image.names());
                loaded.put(image.manifest().digest(), new LoadedImage(List.copyOf(names),
                        previous != null ? previous.manifest() : image.manifest()));
            }
            return List.copyOf(loaded.values());
        }
    }

    /** The manifest descriptor as Keel returns it: naming annotations dropped, the platform filled in. */
    private static Descriptor described(Descriptor d, Platform fromConfig) {
        Map<String, String> annotations = new LinkedHashMap<>(d.annotations());
        annotations.remove(Documents.ANNOTATION_REF_NAME);
        annotations.remove(Documents.ANNOTATION_IMAGE_NAME);
        return new Descriptor(d.mediaType(), d.digest(), d.size(), annotations,
                d.platform() != null ? d.platform() : fromConfig);
    }
}
