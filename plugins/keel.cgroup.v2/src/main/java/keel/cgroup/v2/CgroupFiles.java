package keel.cgroup.v2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** Reading and writing cgroup2 interface files, with errors that name the file and the kernel's reason. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw KeelException.internal("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** A file holding one number; {@code absent} when the file is missing; "max" is {@code unlimited}. */
    static long number(Path file, long absent, long unlimited) {
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return absent;
        }
        String value = text.get().strip();
        if (value.equals("max")) {
            return unlimited;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw KeelException.internal("cannot read " + file + ": '" + value + "' is not a number", e);
        }
    }

    /** The value of {@code key} in a flat keyed file ({@code key value} per line), or 0. */
    static long keyed(Path file, String key) {
        for (String line : read(file).orElse("").split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                return Long.parseLong(fields[1]);
            }
        }
        return 0;
    }

    static Set<Integer> pids(Path procs) {
        Set<Integer> pids = new LinkedHashSet<>();
        for (String line : read(procs).orElse("").split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.strip()));
            }
        }
        return pids;
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
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
