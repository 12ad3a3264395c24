package keel.storage.overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a crash of the overlay driver can leave: directories of a snapshot without its record, a temp record. */
final class OverlayCrash {
    private OverlayCrash() {
    }

    static List<Path> leave(Path home) throws IOException {
        Path fs = Files.createDirectories(home.resolve("fs/900/usr/lib")); // created, no record yet
        Files.writeString(fs.resolve("partial"), "half a layer");
        Path work = Files.createDirectories(home.resolve("work/900/work"));
        Path temp = home.resolve("meta/.tmp-1-4242-7"); // a record rewrite cut short (a commit)
        Files.writeString(temp, "created=2026-01-01T00:00:00Z\nformat=1\nid=1\nke");
        return List.of(home.resolve("fs/900"), home.resolve("work/900"), temp);
    }
}
