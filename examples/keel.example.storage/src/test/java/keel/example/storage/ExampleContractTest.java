package keel.example.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import keel.api.storage.StorageDriver;
import keel.storage.testsuite.StorageDriverContract;

/**
 * The published contract suite, run against the example driver on this machine's disk. This is all
 * a driver author writes to run it: how to open the driver, where its roots go, what a crash
 * leaves (run as root: the suite mounts what the driver returns).
 */
class ExampleContractTest extends StorageDriverContract {

    @Override
    protected StorageDriver open(Path root) throws Exception {
        return new ExampleSnapshotter(root);
    }

    @Override
    protected Path scratch() throws Exception {
        return Files.createDirectories(Path.of("target", "storage-contract").toAbsolutePath());
    }

    /** A prepare cut short before its record (directories only) and a record rewrite cut short (a temp file). */
    @Override
    protected List<Path> leaveCrashDebris(Path root, StorageDriver driver) throws Exception {
        Path home = root.resolve("storage.example");
        Path fs = Files.createDirectories(home.resolve("fs/900/usr/lib"));
        Files.writeString(fs.resolve("partial"), "half a layer");
        Files.createDirectories(home.resolve("work/900/work"));
        Path temp = home.resolve("meta/.tmp-1-4242");
        Files.writeString(temp, "id=1\nkey=ba");
        return List.of(home.resolve("fs/900"), home.resolve("work/900"), temp);
    }
}
