package keel.storage.copy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a crash of the copy driver can leave: a tree copied halfway with no record, a temp record. */
final class CopyCrash {
    private CopyCrash() {
    }

    static List<Path> leave(Path home) throws IOException {
        Path fs = Files.createDirectories(home.resolve("fs/900/usr/lib"));
        Files.writeString(fs.resolve("partial"), "half a copy");
        Files.createSymbolicLink(home.resolve("fs/900/escape"), Path.of("/etc"));
        Path temp = home.resolve("meta/.tmp-1-4242-7");
        Files.writeString(temp, "created=2026-01-01T00:00:00Z\nformat=1\nid=1\nke");
        return List.of(home.resolve("fs/900"), temp);
    }
}
