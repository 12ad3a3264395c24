package keel.image.oci.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.image.ContentStore;
import keel.image.oci.content.Limits;

/** Tells the three formats apart by content, never by file name. */
final class ImageSources {
    private static final Logger LOG = LoggerFactory.getLogger(ImageSources.class);

    private ImageSources() {
    }

    static ImageSource open(Path path, Limits limits, ContentStore store) {
        if (Files.isDirectory(path)) {
            return LayoutSource.open(path, limits);
        }
        if (!Files.isRegularFile(path)) {
            throw KeelException.notFound("%s does not exist or is neither a directory nor a file", path);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(6);
        } catch (IOException e) {
            throw KeelException.invalid("cannot read %s: %s", path, e.getMessage());
        }
        Compression compression = Compression.sniff(head, head.length);
        switch (compression) {
            case NONE -> {
                return TarSource.scan(path, false, limits, store);
            }
            case GZIP -> {
                LOG.info("{} starts with the gzip magic: reading it as gzip, then tar", path);
                return TarSource.scan(path, true, limits, store);
            }
            default -> throw KeelException.invalid("%s is %s-compressed; only plain or gzip-compressed tar archives are "
                    + "read: decompress it first", path, compression.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
