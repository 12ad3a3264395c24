package keel.kernel.images;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.container.ContainerInfo;
import keel.api.container.ContainerService;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.ImageConfig;
import keel.api.image.ImageInfo;
import keel.api.image.ImageReference;
import keel.api.image.ImageService;
import keel.api.image.LoadedImage;
import keel.api.image.Manifest;
import keel.api.image.MediaTypes;
import keel.api.image.Platform;
import keel.api.image.PullProgress;
import keel.api.image.RegistryAuth;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;
import keel.api.space.PruneReport;
import keel.kernel.KernelSettings;
import keel.kernel.content.BlobStore;
import keel.kernel.drivers.Drivers;

/** Images: names for manifests in the content store; import, load, save, pull, tag, remove. */
@Component(service = {ImageService.class, ImageManager.class}, configurationPid = KernelSettings.PID)
public class ImageManager implements ImageService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageManager.class);
    private static final java.time.Duration COLLECT_WAIT = java.time.Duration.ofSeconds(10);
    private final Drivers drivers;
    private final EventService events;
    private final BlobStore blobs;
    private final ImageStore images;
    private final RegistryCredentials credentials;
    private final ContentLock contentLock = new ContentLock();
    /**
     * Dynamic, and taken only when rmi asks which containers use an image: the container service is
     * made with this one (its constructor takes it), so binding it eagerly here would be a cycle that
     * SCR reports as an error whenever this one is activated first.
     */
    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    private volatile org.osgi.service.component.ComponentServiceObjects<ContainerService> containers;

    @Activate
    public ImageManager(@Reference Drivers drivers, @Reference EventService events,
            @Reference RegistryCredentials credentials, BundleContext context, Map<String, Object> config) {
        KernelSettings settings = KernelSettings.from(context, config);
        this.drivers = drivers;
        this.events = events;
        this.credentials = credentials;
        this.blobs = new BlobStore(settings.root().resolve("content"));
        this.images = new ImageStore(settings.root().resolve("images"));
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** Held shared by whoever writes content and then the record that uses it (pulls, container creation). */
    public ContentLock contentLock() {
        return contentLock;
    }

    @Override
    public List<ImageInfo> list() {
        List<ImageInfo> list = new ArrayList<>();
        for (ImageStore.Entry e : images.all()) {
            list.add(info(e));
        }
        return list;
    }

    @Override
    public ImageInfo inspect(String image) {
        return info(find(image));
    }

    @Override
    public ImageInfo tag(String source, String target) {
        ImageStore.Entry e = find(source);
        String name = ImageReference.parse(target).toString();
        ImageInfo info = info(images.add(e.digest(), name));
        publish("tag", info, Map.of("name", name));
        return info;
    }

    /** Removes the image as {@link #remove}, then frees the blobs and layers nothing uses any more. */
    @Override
    public List<String> remove(String image, boolean force) {
        List<String> done = new ArrayList<>(removeRecord(image, force));
        if (done.stream().anyMatch(line -> line.startsWith("Deleted: "))) {
            // a pull or run in flight keeps the lock: then the next prune frees what this one would
            contentLock.exclusive(COLLECT_WAIT).ifPresentOrElse(lease -> {
                try (lease) {
                    done.addAll(collectNow().deleted());
                }
            }, () -> LOG.info("rmi {}: content is being written, unused layers are left for the next prune", image));
        }
        return done;
    }

    /**
     * Frees every blob and layer snapshot that no image and no container uses; waits for pulls and
     * container creations in flight. Lists the removed layers as docker does ("Deleted: CHAIN ID").
     */
    public PruneReport collect() {
        try (ContentLock.Lease lease = contentLock.exclusive()) {
            return collectNow();
        }
    }

    private PruneReport collectNow() {
        java.util.Set<String> recorded = withContainers(service -> service.list(true).stream()
                .map(ContainerInfo::id).collect(java.util.stream.Collectors.toSet())).orElse(null);
        Collector.Result result = Collector.collect(list(), blobs, drivers.storage(), recorded);
        if (!result.blobs().isEmpty() || !result.snapshots().isEmpty()) {
            LOG.info("garbage collection: {} blobs and {} layer snapshots removed, {} bytes", result.blobs().size(),
                    result.snapshots().size(), result.reclaimed());
        }
        return new PruneReport(result.snapshots().stream().map(k -> "Deleted: " + k).toList(), result.reclaimed());
    }

    /**
     * Removes a name, or the image's record when no name is left; the content stays until a collection.
     * An image that containers use is refused, unless {@code force}: then its names go but the record
     * stays, as a dangling image ({@code <none>}), while a stopped container uses it (so that the
     * container can still start, be committed and saved); an image a running container uses is refused
     * even with {@code force}, as Docker's "cannot be forced".
     */
    public List<String> removeRecord(String image, boolean force) {
        ImageStore.Entry e = find(image);
        ImageInfo info = info(e);
        List<ContainerInfo> users = usersOf(info);
        List<String> running = users.stream().filter(c -> c.state().status().isLive()).map(ContainerInfo::name).toList();
        if (!running.isEmpty() && force) {
            throw KeelException.conflict("image %s is used by running container%s %s: stop %s first (rmi -f cannot "
                    + "remove the image of a running container)", image, running.size() > 1 ? "s" : "",
                    String.join(", ", running), running.size() > 1 ? "them" : "it");
        }
        if (!users.isEmpty() && !force) {
            List<String> names = users.stream().map(ContainerInfo::name).toList();
            throw KeelException.conflict("image %s is used by container%s %s: remove %s first, or use rmi -f", image,
                    names.size() > 1 ? "s" : "", String.join(", ", names), names.size() > 1 ? "them" : "it");
        }
        List<String> done = new ArrayList<>();
        String name = referenceName(image);
        if (name != null && e.names().contains(name) && (e.names().size() > 1 || !users.isEmpty())) {
            images.untag(name);
            done.add("Untagged: " + name);
            return done;
        }
        e.names().forEach(n -> done.add("Untagged: " + n));
        if (!users.isEmpty()) {
            images.untagAll(e.digest()); // kept, dangling, for the stopped containers that use it
            return done;
        }
        images.remove(e.digest());
        parsed.remove(e.digest());
        done.add("Deleted: " + e.manifest());
        publish("delete", info, Map.of());
        return done;
    }


    @Override
    public ImageInfo importRootfs(Path tar, String name) {
        String reference = ImageReference.parse(name).toString();
        try (ContentLock.Lease lease = contentLock.shared(); InputStream head = new BufferedInputStream(Files.newInputStream(tar))) {
            head.mark(2);
            boolean gzip = head.read() == 0x1f && head.read() == 0x8b;
            Descriptor layer = store(tar, gzip ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER_TAR);
            Digest diffId = gzip ? diffId(tar) : layer.digest();
            byte[] config = OciJson.importConfig(diffId, Instant.now(), "keel import " + tar.getFileName());
            Descriptor configDescriptor = storeBytes(config, MediaTypes.OCI_CONFIG);
            byte[] manifest = OciJson.manifestJson(configDescriptor, List.of(layer));
            Descriptor manifestDescriptor = storeBytes(manifest, MediaTypes.OCI_MANIFEST);
            ImageInfo info = info(images.add(manifestDescriptor.digest(), reference));
            publish("import", info, Map.of("name", reference));
            return info;
        } catch (IOException e) {
            throw KeelException.invalid("cannot import %s: %s", tar, e.getMessage());
        }
    }

    @Override
    public List<ImageInfo> load(Path source, Platform platform) {
        List<ImageInfo> loaded = new ArrayList<>();
        try (ContentLock.Lease lease = contentLock.shared()) {
            for (LoadedImage image : drivers.image().load(source, platform, blobs)) {
                ImageInfo info = register(image);
                loaded.add(info);
                publish("load", info, Map.of());
            }
        }
        return loaded;
    }

    @Override
    public void save(List<String> refs, String format, OutputStream out) {
        List<LoadedImage> list = new ArrayList<>();
        for (String ref : refs) {
            ImageStore.Entry e = find(ref);
            ImageInfo info = info(e);
            List<ImageReference> names = new ArrayList<>();
            String asked = referenceName(ref);
            if (asked != null && e.names().contains(asked)) {
                names.add(ImageReference.parse(asked));
            } else {
                e.names().forEach(n -> names.add(ImageReference.parse(n)));
            }
            list.add(new LoadedImage(names, info.manifest()));
        }
        drivers.image().save(list, format, blobs, out);
    }

    @Override
    public ImageInfo pull(String reference, Platform platform, RegistryAuth auth, PullProgress progress) {
        ImageReference ref = ImageReference.parse(reference);
        RegistryAuth given = auth == null ? RegistryAuth.ANONYMOUS : auth;
        RegistryAuth used = given.username() != null ? given
                : credentials.forRegistry(ref.registry(), given.insecure()).orElse(given);
        try (ContentLock.Lease lease = contentLock.shared()) {
            LoadedImage image = drivers.registry().pull(ref, platform, used, blobs, progress);
            ImageInfo info = register(new LoadedImage(List.of(ref), image.manifest()));
            publish("pull", info, Map.of("name", ref.toString()));
            return info;
        }
    }

    /**
     * Makes and names the image committed from a container of image {@code parentId}: the parent's
     * layers plus {@code layer} (already in the content store, {@code diffId} its uncompressed
     * digest), with {@code run} as its configuration.
     */
    public ImageInfo commit(String parentId, Descriptor layer, Digest diffId, ImageConfig.RunConfig run,
            String reference, String author, String comment, String createdBy) {
        String name = reference == null ? null : ImageReference.parse(reference).toString();
        ImageStore.Entry parentEntry = find(parentId);
        Parsed parent = parsed(parentEntry);
        byte[] config = OciJson.committedConfig(read(parent.document().config().digest(), "config"), run, diffId,
                Instant.now(), author, createdBy, comment);
        try {
            Descriptor configDescriptor = storeBytes(config, MediaTypes.OCI_CONFIG);
            List<Descriptor> layers = new ArrayList<>(parent.document().layers());
            layers.add(layer);
            Descriptor manifest = storeBytes(OciJson.manifestJson(configDescriptor, layers), MediaTypes.OCI_MANIFEST);
            ImageInfo info = info(images.add(manifest.digest(), name));
            publish("commit", info, name == null ? Map.of() : Map.of("name", name));
            return info;
        } catch (IOException e) {
            throw KeelException.internal("cannot store the committed image: " + e.getMessage(), e);
        }
    }

    /** Resolves an image for running: its config and layers, by reference or id. */
    public ImageInfo resolve(String image) {
        return info(find(image));
    }

    private ImageInfo register(LoadedImage image) {
        ImageStore.Entry entry = null;
        if (image.names().isEmpty()) {
            entry = images.add(image.manifest().digest(), null);
        }
        for (ImageReference name : image.names()) {
            entry = images.add(image.manifest().digest(), name.toString());
        }
        return info(entry);
    }

    /** What a manifest digest says about its image; content-addressed, so it never changes. */
    private record Parsed(Descriptor manifest, Manifest document, ImageConfig config) {
    }

    private final Map<Digest, Parsed> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    private ImageInfo info(ImageStore.Entry e) {
        Parsed p = parsed(e);
        long size = p.document().layers().stream().mapToLong(Descriptor::size).sum();
        return new ImageInfo(p.document().config().digest(), e.names(), p.manifest(), p.config().created(), size,
                new Platform(p.config().os(), p.config().architecture(), null), p.config(), p.document().layers());
    }

    private Parsed parsed(ImageStore.Entry e) {
        return parsed.computeIfAbsent(e.digest(), digest -> {
            byte[] manifestBytes = read(digest, "manifest");
            Manifest manifest = OciJson.manifest(manifestBytes);
            ImageConfig config = OciJson.config(read(manifest.config().digest(), "config"));
            Descriptor descriptor = new Descriptor(manifest.mediaType() != null ? manifest.mediaType()
                    : MediaTypes.OCI_MANIFEST, digest, manifestBytes.length, null, null);
            return new Parsed(descriptor, manifest, config);
        });
    }

    private byte[] read(Digest digest, String what) {
        Path file = blobs.path(digest).orElseThrow(() -> new KeelException(ErrorKind.INTERNAL,
                "the content store lacks the " + what + " " + digest + "; pull or load the image again"));
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + what + " " + digest + ": " + e.getMessage(), e);
        }
    }

    /** A name, an image id (prefix, with or without sha256:), or a manifest digest. */
    private ImageStore.Entry find(String image) {
        String name = referenceName(image);
        List<ImageStore.Entry> all = images.all();
        if (name != null) {
            for (ImageStore.Entry e : all) {
                if (e.names().contains(name)) {
                    return e;
                }
            }
        }
        String hex = image.startsWith("sha256:") ? image.substring(7) : image;
        if (hex.matches("[0-9a-f]{4,64}")) {
            List<ImageStore.Entry> matches = new ArrayList<>();
            for (ImageStore.Entry e : all) {
                Digest id = info(e).id();
                if (id.hex().startsWith(hex) || e.digest().hex().startsWith(hex)) {
                    matches.add(e);
                }
            }
            if (matches.size() == 1) {
                return matches.get(0);
            }
            if (matches.size() > 1) {
                throw KeelException.invalid("'%s' matches %d images: give more of the id", image, matches.size());
            }
        }
        throw KeelException.notFound("no such image: %s", image);
    }

    private static String referenceName(String image) {
        try {
            return ImageReference.parse(image).toString();
        } catch (KeelException notAReference) {
            return null;
        }
    }

    /** The containers, running or not, created from the image (by its id; by name for records without one). */
    private List<ContainerInfo> usersOf(ImageInfo info) {
        return withContainers(service -> service.list(true).stream().filter(c -> {
            String image = c.config().image();
            return c.image() != null ? c.image().equals(info.id().toString())
                    : image != null && (info.names().contains(referenceName(image))
                            || image.equals(info.id().toString()) || info.id().hex().startsWith(image));
        }).toList()).orElse(List.of());
    }

    /** {@code work} applied to the container service, if one is bound (taken and given back around it). */
    private <T> java.util.Optional<T> withContainers(java.util.function.Function<ContainerService, T> work) {
        org.osgi.service.component.ComponentServiceObjects<ContainerService> objects = containers;
        ContainerService service = objects == null ? null : objects.getService();
        if (service == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(work.apply(service));
        } finally {
            objects.ungetService(service);
        }
    }

    private Descriptor store(Path file, String mediaType) throws IOException {
        Digest digest;
        try (InputStream in = Files.newInputStream(file)) {
            digest = sha256(in);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return blobs.write(new Descriptor(mediaType, digest, Files.size(file), null, null), in);
        }
    }

    private Descriptor storeBytes(byte[] bytes, String mediaType) throws IOException {
        Digest digest = sha256(new java.io.ByteArrayInputStream(bytes));
        return blobs.write(new Descriptor(mediaType, digest, bytes.length, null, null),
                new java.io.ByteArrayInputStream(bytes));
    }

    private static Digest diffId(Path gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzip), 1 << 16)) {
            return sha256(in);
        }
    }

    private static Digest sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (DigestInputStream digesting = new DigestInputStream(in, md)) {
                digesting.transferTo(OutputStream.nullOutputStream());
            }
            return new Digest("sha256", HexFormat.of().formatHex(md.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void publish(String action, ImageInfo info, Map<String, String> extra) {
        java.util.Map<String, String> attributes = new java.util.HashMap<>(extra);
        if (!info.names().isEmpty()) {
            attributes.putIfAbsent("name", info.names().get(0));
        }
        events.publish(new Event(Instant.now(), "image", action, info.id().toString(), attributes));
    }
}
