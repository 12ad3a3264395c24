package keel.layer.tar;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import keel.api.image.MediaTypes;
import keel.api.layer.UnpackLimits;
import keel.api.layer.UnpackResult;
import keel.api.layer.WhiteoutStyle;

/** Builds small tar layers with Commons Compress (PAX for long names and big numbers). */
final class Layers {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    Layers() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    Layers dir(String name) {
        return put(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarArchiveEntry.LF_DIR), null);
    }

    Layers file(String name, String content) {
        return put(new TarArchiveEntry(name), content.getBytes(StandardCharsets.UTF_8));
    }

    Layers symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        return put(e, null);
    }

    Layers hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
        e.setLinkName(target);
        return put(e, null);
    }

    Layers device(String name, byte type, int major, int minor) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return put(e, null);
    }

    Layers put(TarArchiveEntry e, byte[] content) {
        try {
            if (content != null) {
                e.setSize(content.length);
            }
            if (e.getModTime().getTime() == 0 || true) {
                e.setModTime(FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
            }
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    byte[] bytes() {
        try {
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static UnpackResult unpack(byte[] layer, Path target, WhiteoutStyle style) {
        return unpack(new TarLayerUnpacker(), layer, target, style);
    }

    static UnpackResult unpack(TarLayerUnpacker unpacker, byte[] layer, Path target, WhiteoutStyle style) {
        return unpacker.unpack(new ByteArrayInputStream(layer), MediaTypes.OCI_LAYER_TAR, target, style,
                UnpackLimits.DEFAULT);
    }
}
