package keel.layer.tar;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import keel.api.driver.KeelDriver;
import keel.api.layer.Change;
import keel.api.layer.LayerPacker;
import keel.api.layer.LayerUnpacker;
import keel.api.layer.RootSource;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/**
 * The layer driver {@code tar}: registers {@link TarLayerUnpacker} as a {@link LayerUnpacker}, with the
 * {@link LayerPacker} capability of {@link TarPacker}.
 * Activation fails, with the reason {@code keel drivers} shows, on a host it cannot run on.
 */
@Component(immediate = true, service = LayerUnpacker.class)
@KeelDriver(id = "tar")
public class TarLayerDriver implements LayerUnpacker, LayerPacker {
    private final TarLayerUnpacker unpacker = new TarLayerUnpacker();
    private final TarPacker packer = new TarPacker();

    @Activate
    public TarLayerDriver() {
        TarLayerUnpacker.checkHost(); // throws on an unsupported host; loads no native code
    }

    @Override
    public Map<String, String> describe() {
        return unpacker.describe();
    }

    @Override
    public Set<String> mediaTypes() {
        return unpacker.mediaTypes();
    }

    @Override
    public UnpackResult unpack(InputStream layer, String mediaType, Path target, WhiteoutStyle whiteouts,
            UnpackLimits limits) {
        return unpacker.unpack(layer, mediaType, target, whiteouts, limits);
    }

    @Override
    public void writeLayer(RootSource root, List<Change> changes, OutputStream tar) {
        packer.writeLayer(root, changes, tar);
    }

    @Override
    public void archive(RootSource root, String path, String name, OutputStream tar) {
        packer.archive(root, path, name, tar);
    }

    @Override
    public UnpackResult extract(RootSource root, String path, InputStream tar, UnpackLimits limits) {
        return packer.extract(root, path, tar, limits);
    }

    @Override
    public Optional<PathKind> kind(RootSource root, String path) {
        return packer.kind(root, path);
    }
}
