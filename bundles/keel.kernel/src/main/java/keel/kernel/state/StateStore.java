package keel.kernel.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.JavaType;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * Records kept as JSON files under one directory, each written atomically. Names are checked
 * before they become paths.
 */
public final class StateStore {
    private final Path dir;

    /** The store of {@code dir}, whose temporary files a crash left are removed first. */
    public StateStore(Path dir) {
        this(dir, true);
    }

    private StateStore(Path dir, boolean removeDebris) {
        this.dir = dir;
        if (removeDebris) {
            AtomicFiles.removeDebris(dir);
        }
    }

    /**
     * The store of {@code dir} as this process already found it (its debris removed when it was first
     * opened): no listing of the directory, for the records written again and again (a container's).
     */
    public static StateStore opened(Path dir) {
        return new StateStore(dir, false);
    }

    public Path dir() {
        return dir;
    }

    /** Whether the record exists; cheap, and loads no JSON machinery (start-up reads only what is there). */
    public boolean contains(String name) {
        return Files.exists(file(name));
    }

    /**
     * Whether the record exists and is not empty: a record written by {@link #putUnsynced} may be left
     * empty by a machine crash (its data not on disk when its rename was).
     */
    public boolean containsComplete(String name) {
        try {
            return Files.size(file(name)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    public void put(String name, Object record) {
        AtomicFiles.write(file(name), Json.write(record));
    }

    /** {@link #put} for state that holds only until the machine stops: see {@link AtomicFiles#writeForThisBoot}. */
    public void putForThisBoot(String name, Object record) {
        AtomicFiles.writeForThisBoot(file(name), Json.write(record));
    }

    /**
     * {@link #put} without any fsync ({@link AtomicFiles#writeDerived}): never half-written, but after
     * a machine crash old, empty or missing. Only for records whose loss start-up recovery makes good.
     */
    public void putUnsynced(String name, Object record) {
        AtomicFiles.writeDerived(file(name), Json.write(record));
    }

    public <T> Optional<T> get(String name, JavaType type) {
        Path file = file(name);
        try {
            return Optional.of(Json.read(Files.readAllBytes(file), type, file.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void remove(String name) {
        try {
            Files.deleteIfExists(file(name));
            AtomicFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot remove " + file(name) + ": " + e.getMessage(), e);
        }
    }

    private Path file(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}") || name.startsWith(AtomicFiles.TEMP_PREFIX)) {
            throw KeelException.invalid("invalid state record name '%s'", name);
        }
        return dir.resolve(name + ".json");
    }
}
