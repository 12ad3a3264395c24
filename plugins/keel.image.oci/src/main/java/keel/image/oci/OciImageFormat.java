package keel.image.oci;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import keel.api.driver.KeelDriver;
import keel.api.image.ContentStore;
import keel.api.image.ImageFormat;
import keel.api.image.LoadedImage;
import keel.api.image.Platform;
import keel.image.oci.archive.ImageLoader;
import keel.image.oci.archive.ImageSaver;
import keel.image.oci.content.Limits;

/** The image format driver: OCI layout, OCI archive and docker-archive (load), the two archives (save). */
@Component(service = ImageFormat.class)
@KeelDriver(id = "oci")
public class OciImageFormat implements ImageFormat {
    private static final Set<String> FORMATS = Set.of("oci-layout", "oci-archive", "docker-archive");

    private final Limits limits;
    private final ImageLoader loader;
    private final ImageSaver saver;

    public OciImageFormat() {
        this(Limits.DEFAULT);
    }

    public OciImageFormat(Limits limits) {
        this.limits = limits;
        this.loader = new ImageLoader(limits);
        this.saver = new ImageSaver(limits);
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("driver", "oci");
        facts.put("formats.load", "oci-layout, oci-archive, docker-archive (detected by content)");
        facts.put("formats.save", "oci-archive, docker-archive (Docker 25 layout)");
        facts.put("archive.compression", "none or gzip (by its magic bytes)");
        facts.put("platform.default", Platform.LINUX_AMD64.toString());
        facts.put("limit.json.bytes", Integer.toString(limits.maxJsonBytes()));
        facts.put("limit.archive.entries", Integer.toString(limits.maxArchiveEntries()));
        return facts;
    }

    @Override
    public Set<String> formats() {
        return FORMATS;
    }

    @Override
    public List<LoadedImage> load(Path source, Platform platform, ContentStore store) {
        return loader.load(source, platform, store);
    }

    @Override
    public void save(List<LoadedImage> images, String format, ContentStore store, OutputStream out) {
        saver.save(images, format, store, out);
    }
}
