package keel.api.layer;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;

/**
 * Applies one layer onto a directory. No entry may create, change or delete anything outside
 * {@code target}; a layer that tries fails with an invalid-argument error naming the entry.
 */
@ConsumerType
public interface LayerUnpacker extends Driver {

    /** The layer media types this unpacker reads (never guessed from content). */
    Set<String> mediaTypes();

    UnpackResult unpack(InputStream layer, String mediaType, Path target, WhiteoutStyle whiteouts,
            UnpackLimits limits);
}
