package keel.cgroup.v2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.cgroup.base.ControlFiles;

/** Writing cgroup2 interface files (reading is {@link ControlFiles}), with errors that name the file and the kernel's reason. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    /**
     * Writes one value in one write. The file is created if missing, which only a plain directory
     * (the file-format tests' tree) allows; cgroupfs refuses (EACCES) and {@link #reason} says so.
     */
    static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** {@link #write} that fails with a message naming what was being set. */
    static void write(Path file, String value, String what) {
        try {
            write(file, value);
        } catch (IOException e) {
            boolean missing = !Files.exists(file);
            throw new KeelException(missing ? ErrorKind.UNAVAILABLE : ErrorKind.INTERNAL, "cannot set " + what
                    + ": writing '" + value.strip() + "' to " + file + " failed: " + reason(e), e);
        }
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException || e instanceof AccessDeniedException && !Files.exists(
                Path.of(((FileSystemException) e).getFile()))) {
            return "no such file (is its controller enabled in the parent's cgroup.subtree_control?)";
        }
        return ControlFiles.reason(e);
    }
}
