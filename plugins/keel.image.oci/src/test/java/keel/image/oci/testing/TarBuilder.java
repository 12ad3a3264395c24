package keel.image.oci.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Writes crafted (hostile) tar archives: names are kept exactly as given, '..' and '/' included. */
public final class TarBuilder {
    private final List<Consumer<TarArchiveOutputStream>> entries = new ArrayList<>();

    public TarBuilder file(String name, byte[] content) {
        return entry(name, TarConstants.LF_NORMAL, content, null, null);
    }

    public TarBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public TarBuilder symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, new byte[0], target, null);
    }

    public TarBuilder fifo(String name) {
        return entry(name, TarConstants.LF_FIFO, new byte[0], null, null);
    }

    /** A file whose ustar name is {@code name} but whose PAX header says {@code paxPath}. */
    public TarBuilder paxPath(String name, String paxPath, byte[] content) {
        return entry(name, TarConstants.LF_NORMAL, content, null, paxPath);
    }

    private TarBuilder entry(String name, byte type, byte[] content, String link, String paxPath) {
        entries.add(tar -> {
            try {
                TarArchiveEntry e = new TarArchiveEntry(name, type, true);
                e.setSize(type == TarConstants.LF_NORMAL ? content.length : 0);
                e.setMode(type == TarConstants.LF_SYMLINK ? 0120777 : type == TarConstants.LF_FIFO ? 010644 : 0100644);
                if (link != null) {
                    e.setLinkName(link);
                }
                if (paxPath != null) {
                    e.addPaxHeader("path", paxPath);
                }
                tar.putArchiveEntry(e);
                if (type == TarConstants.LF_NORMAL) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        return this;
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.forEach(e -> e.accept(tar));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public Path write(Path file) {
        try {
            return Files.write(file, build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
