package keel.cgroup.v1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/** Reading and writing cgroup control files, with errors that name the file and the kernel's reason. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    /** The file's text; empty when it is missing or its cgroup is being removed (ENODEV). */
    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (e instanceof FileSystemException fs && "No such device".equals(fs.getReason())) {
                return Optional.empty();
            }
            throw KeelException.internal("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** A file holding one number; {@code absent} when the file is missing; "max" and "-1" are {@code unlimited}. */
    static long number(Path file, long absent, long unlimited) {
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return absent;
        }
        String value = text.get().strip();
        if (value.equals("max") || value.equals("-1")) {
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

    /** The error of a failed {@link #write}, naming what was being set. */
    static KeelException failed(Path file, String value, String what, IOException e) {
        return new KeelException(e instanceof NoSuchFileException ? ErrorKind.UNAVAILABLE : ErrorKind.INTERNAL,
                "cannot set " + what + ": writing '" + value.strip() + "' to " + file + " failed: " + reason(e), e);
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
