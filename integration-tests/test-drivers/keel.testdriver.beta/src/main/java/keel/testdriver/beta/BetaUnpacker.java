package keel.testdriver.beta;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import keel.api.KeelException;
import keel.api.driver.KeelDriver;
import keel.api.image.Digest;
import keel.api.layer.LayerUnpacker;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/**
 * A provider of the layer kind for the swap tests: {@link #describe()} takes
 * {@code keel.testdriver.delay.ms} (framework property, default 100) so that calls are in flight
 * when the bundle goes away, and names the driver and its bundle version so a test sees which
 * provider answered. {@link #unpack} stores the raw stream as one file and reports its sha256.
 */
@Component(immediate = true)
@KeelDriver(id = "beta")
@ServiceRanking(10)
public class BetaUnpacker implements LayerUnpacker {
    private final String version;
    private final long delayMillis;

    @Activate
    public BetaUnpacker(BundleContext context) {
        this.version = context.getBundle().getVersion().toString();
        String delay = context.getProperty("keel.testdriver.delay.ms");
        this.delayMillis = delay == null ? 100 : Long.parseLong(delay);
    }

    @Override
    public Map<String, String> describe() {
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.of("driver", "beta", "version", version);
    }

    @Override
    public Set<String> mediaTypes() {
        return Set.of("application/vnd.oci.image.layer.v1.tar");
    }

    @Override
    public UnpackResult unpack(InputStream layer, String mediaType, Path target, WhiteoutStyle whiteouts,
            UnpackLimits limits) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            Files.createDirectories(target);
            long bytes;
            try (DigestInputStream in = new DigestInputStream(layer, sha256)) {
                bytes = Files.copy(in, target.resolve("layer-by-beta.tar"));
            }
            return new UnpackResult(new Digest("sha256", HexFormat.of().formatHex(sha256.digest())), bytes, 1);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw KeelException.internal("beta cannot unpack into " + target, e);
        }
    }
}
