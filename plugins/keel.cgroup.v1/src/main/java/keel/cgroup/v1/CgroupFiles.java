package keel.cgroup.v1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Function;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.cgroup.base.ControlFiles;

/** Writing cgroup control files (reading is {@link ControlFiles}), with errors that name the file and the kernel's reason. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    /** Writes one value as the kernel expects it: open for writing without creating, one write. */
    static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** {@link #write} that fails with a message naming what was being set. */
    static void write(Path file, String value, String what) {
        try {
            write(file, value);
        } catch (IOException e) {
            throw failed(file, value, what, e);
        }
    }

    /**
     * Writes each value with a write of its own to one open file: as many opens fewer, for files
     * that take one entry per write (devices.allow, devices.deny). Fails at the first refused value,
     * naming it.
     */
    static void writeEach(Path file, List<String> values, Function<String, String> what) {
        if (values.isEmpty()) {
            return;
        }
        String value = values.get(0);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (String v : values) {
                value = v;
                ByteBuffer bytes = ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8));
                if (channel.write(bytes) != bytes.limit()) {
                    throw new IOException("a short write");
                }
            }
        } catch (IOException e) {
            throw failed(file, value, what.apply(value), e);
        }
    }

    /** The error of a failed {@link #write}, naming what was being set. */
    static KeelException failed(Path file, String value, String what, IOException e) {
        return new KeelException(e instanceof NoSuchFileException ? ErrorKind.UNAVAILABLE : ErrorKind.INTERNAL,
                "cannot set " + what + ": writing '" + value.strip() + "' to " + file + " failed: "
                        + ControlFiles.reason(e), e);
    }
}
