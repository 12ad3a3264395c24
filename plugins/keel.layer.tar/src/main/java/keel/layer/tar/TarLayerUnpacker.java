package keel.layer.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.layer.LayerUnpacker;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/**
 * The tar layer unpacker as a plain object (the DS component {@link TarLayerDriver} only delegates
 * here, and tests build it with {@code new}). Safe to call from several threads at once: each call
 * has its own state.
 */
public final class TarLayerUnpacker implements LayerUnpacker {
    private static final int TAR_BUFFER = 1 << 20;

    /** Threads that write small new files while the layer is read on ({@link FileWriters}). */
    public static final int DEFAULT_WRITERS = 3;

    private final boolean useOpenat2;
    private final int writers;

    /** Resolves with openat2 where the kernel has it; writes small files on {@value #DEFAULT_WRITERS} threads. */
    public TarLayerUnpacker() {
        this(true, DEFAULT_WRITERS);
    }

    /** {@code useOpenat2 = false} forces the O_PATH walk (as on kernels before 5.6); for tests. */
    TarLayerUnpacker(boolean useOpenat2) {
        this(useOpenat2, DEFAULT_WRITERS);
    }

    /**
     * @param useOpenat2 false forces the O_PATH walk (as on kernels before 5.6; for tests)
     * @param writers threads writing small new files; 0 writes every file in the calling thread
     *        (benchmarks compare the two)
     */
    public TarLayerUnpacker(boolean useOpenat2, int writers) {
        if (writers < 0) {
            throw new IllegalArgumentException("writers must be 0 or more: " + writers);
        }
        this.useOpenat2 = useOpenat2;
        this.writers = writers;
    }

    @Override
    public Map<String, String> describe() {
        checkHost();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("media.types", String.join(",", Compression.mediaTypes()));
        facts.put("openat2", Boolean.toString(RootDir.OPENAT2_AVAILABLE));
        facts.put("resolver", useOpenat2 && RootDir.OPENAT2_AVAILABLE ? "openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS"
                : "O_PATH|O_NOFOLLOW walk with in-root symlink emulation");
        facts.put("whiteouts", "overlay,delete");
        facts.put("writers", Integer.toString(writers));
        facts.put("zstd", "zstd-jni " + zstdVersion());
        return facts;
    }

    @Override
    public Set<String> mediaTypes() {
        return Compression.mediaTypes();
    }

    @Override
    public UnpackResult unpack(InputStream layer, String mediaType, Path target, WhiteoutStyle whiteouts,
            UnpackLimits limits) {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(whiteouts, "whiteouts");
        Objects.requireNonNull(limits, "limits");
        if (limits.maxBytes() <= 0 || limits.maxEntries() <= 0 || limits.maxNameLength() <= 0) {
            throw KeelException.invalid("unpack limits must be positive: %s", limits);
        }
        Compression compression = Compression.of(mediaType);
        checkHost();
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw KeelException.internal("cannot create the unpack target " + target + ": " + e.getMessage(), e);
        }
        Unpack unpack = null;
        DiffIdInputStream diff = null;
        try (RootDir root = RootDir.open(target, useOpenat2);
                DiffIdInputStream stream = new DiffIdInputStream(compression.open(layer), limits.maxBytes(), TAR_BUFFER)) {
            diff = stream;
            LayerTarInputStream tar = new LayerTarInputStream(diff, limits.maxNameLength());
            unpack = new Unpack(root, tar, whiteouts, limits, writers);
            try {
                unpack.applyAll();
                diff.drain();
                unpack.finish();
            } finally {
                unpack.close(); // no file is written after this returns, even after a failure
            }
            return new UnpackResult(diff.diffId(), diff.bytes(), unpack.entries());
        } catch (Compression.SourceException e) {
            throw new KeelException(ErrorKind.UNAVAILABLE, "cannot read the " + mediaType + " layer: "
                    + e.getMessage() + "; retry", e);
        } catch (IOException e) {
            String where = unpack == null ? "at its start"
                    : "after " + diff.bytes() + " uncompressed bytes, at entry " + unpack.entries()
                            + (unpack.current().isEmpty() ? "" : " '" + unpack.current() + "'");
            throw KeelException.invalid("layer of type %s is corrupt or truncated %s: %s", mediaType, where,
                    e.getMessage());
        } catch (SysError e) {
            throw unpack != null ? unpack.failed(e)
                    : KeelException.internal("cannot open the unpack target " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Throws on a host this unpacker cannot run on. Cheap on purpose (no native library loaded):
     * the daemon activates every driver at boot.
     */
    static void checkHost() {
        String arch = System.getProperty("os.arch");
        boolean supported = System.getProperty("os.name").equals("Linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
        if (!supported) {
            throw KeelException.unavailable("the tar layer unpacker runs on Linux x86-64 and aarch64 only, not %s %s",
                    System.getProperty("os.name"), System.getProperty("os.arch"));
        }
    }

    private static String zstdVersion() {
        Package p = com.github.luben.zstd.ZstdInputStreamNoFinalizer.class.getPackage();
        String version = p == null ? null : p.getImplementationVersion();
        return version == null ? "(version unknown)" : version;
    }
}
