package keel.cgroup.base;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import keel.api.KeelException;

/** Reading cgroup control files (v1 and v2 alike), with errors that name the file and the kernel's reason. */
public final class ControlFiles {
    private ControlFiles() {
    }

    /** The file's text; empty when it is missing or its cgroup was removed meanwhile (ENODEV). */
    public static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (isGone(e)) {
                return Optional.empty();
            }
            throw KeelException.internal("cannot read " + file + ": " + reason(e), e);
        }
    }

    /**
     * ENODEV: the cgroup was removed. Opening one of its files reports it as a {@link FileSystemException} with that
     * reason; reading a file opened just before the rmdir reports it as a plain IOException with that message.
     */
    public static boolean isGone(IOException e) {
        String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        return "No such device".equals(reason);
    }

    /** A file holding one number; {@code absent} when the file is missing; "max" and "-1" are {@code unlimited}. */
    public static long number(Path file, long absent, long unlimited) {
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
    public static long keyed(Path file, String key) {
        for (String line : read(file).orElse("").split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                return Long.parseLong(fields[1]);
            }
        }
        return 0;
    }

    /** The process ids listed in a cgroup.procs or tasks file. */
    public static Set<Integer> pids(Path procs) {
        Set<Integer> pids = new LinkedHashSet<>();
        for (String line : read(procs).orElse("").split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.strip()));
            }
        }
        return pids;
    }

    /** The kernel's reason for a failed read or write, as short as it can be said. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
